// What the plan decides for one service: what becomes of its image and of each replica. plan.ts
// decides it from the observed state; plan-operations.ts turns it into operations.
import type { ImageStep } from '../engine/engine.ts';
import type { ServiceSpec } from '../stack/model.ts';

export type ContainerStep =
  | { readonly kind: 'create'; readonly replica: number }
  | {
      readonly kind: 'recreate';
      readonly replica: number;
      readonly containerId: string;
      readonly reason: string;
    }
  | { readonly kind: 'start'; readonly replica: number; readonly containerId: string }
  | {
      readonly kind: 'keep';
      readonly replica: number;
      readonly containerId: string;
      readonly completed: boolean;
      /** Its published ports as observed ("8001/tcp" -> host port): kept, it is reached there. */
      readonly ports: Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'remove';
      readonly replica: number;
      readonly containerId: string;
      readonly reason: string;
    };

export interface ServicePlan {
  readonly service: ServiceSpec;
  readonly configHash: string;
  /** What its image is built from ('' for a pulled image): stored on the image it builds. */
  readonly buildHash: string;
  readonly image: ImageStep;
  /** Why its image needs that step. */
  readonly imageCause: string;
  readonly steps: readonly ContainerStep[];
  /**
   * Who runs the service instead of its containers (`mkdev run`'s host process, "mkdev run, pid 4242"):
   * its containers are left as they are (stopped), and it counts as ready for whoever waits for it.
   */
  readonly onHost?: string;
}
