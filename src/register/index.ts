// mkdev/register: how a service registers itself on Kong (its public route) and Consul (its address
// and health check). Dependency-free (global fetch only), so services can vendor the compiled files:
// `mkdev new-service` copies them into services/<name>/vendor/mkdev-register/.
export {
  type ConsulCheck,
  type ConsulRegistration,
  consulServiceDefinition,
  deregisterFromConsul,
  registerOnConsul,
} from './consul.ts';
export { RegistrationError } from './http.ts';
export {
  type KongRegistration,
  type KongRegistrationResult,
  registerOnKong,
  unregisterFromKong,
} from './kong.ts';
export { type RetryOptions, withRetry } from './retry.ts';
