// `mkdev new-service`: writes services/<name>/ from a template and adds the service to mkdev.yaml.
// Every check runs and every file is rendered in memory first, so a refusal leaves nothing behind.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UsageError, UserError } from '../errors.ts';
import { PROJECT_FILE_NAME, sanitizeProjectName } from '../stack/load-stack.ts';
import { projectFileTemplate } from '../stack/project-file.ts';
import { addService, type Language, type PlatformNames, parseProjectFile } from './project-yaml.ts';
import { checkTarget } from './safe-target.ts';
import { checkRoutePath, checkServiceName } from './service-name.ts';
import { LANGUAGES, renderTemplate, TEMPLATES_DIR, type TemplateFile } from './templates.ts';
import { vendoredGoRegisterPackage, vendoredRegisterLibrary } from './vendor-register.ts';

export interface NewServiceOptions {
  /** The project directory (where mkdev.yaml is or will be). */
  readonly projectDir: string;
  readonly name: string;
  readonly language?: string;
  readonly routePath?: string;
  readonly port?: number;
  /** Where the templates live (tests point elsewhere); default: the package's templates/. */
  readonly templatesDir?: string;
  /** The compiled register library to vendor (TS only); default: the package's dist/register/. */
  readonly registerLibraryDir?: string;
  /** Who plays gateway, discovery, broker and traces in the project's stack; default: the default stack's. */
  readonly platform?: PlatformNames;
  /** The Go register package to vendor (Go only); default: the package's src/register/go/. */
  readonly goRegisterPackageDir?: string;
}

export interface NewServiceResult {
  readonly serviceDir: string;
  readonly projectFile: string;
  readonly createdProjectFile: boolean;
  readonly files: readonly string[];
  readonly language: Language;
  readonly routePath: string;
  readonly port: number;
}

export const DEFAULT_PORT = 8080;

function checkLanguage(language: string): Language {
  if (!(LANGUAGES as readonly string[]).includes(language)) {
    throw new UsageError(`unknown --lang '${language}'`, `choose one of: ${LANGUAGES.join(', ')}`);
  }
  return language as Language;
}

export function newService(options: NewServiceOptions): NewServiceResult {
  const { projectDir, name } = options;
  checkServiceName(name);
  const language = checkLanguage(options.language ?? 'ts');
  const routePath = options.routePath ?? `/${name}`;
  checkRoutePath(routePath);
  const port = options.port ?? DEFAULT_PORT;

  const projectFile = join(projectDir, PROJECT_FILE_NAME);
  const createdProjectFile = !existsSync(projectFile);
  const yamlText = createdProjectFile
    ? projectFileTemplate(sanitizeProjectName(basename(projectDir)))
    : readFileSync(projectFile, 'utf8');
  const doc = parseProjectFile(yamlText, PROJECT_FILE_NAME);
  const newYaml = addService(
    doc,
    { name, language, port, routePath, ...(options.platform ? { platform: options.platform } : {}) },
    PROJECT_FILE_NAME,
  );

  const serviceDir = join(projectDir, 'services', name);
  checkTarget(projectDir, serviceDir, relative(projectDir, serviceDir));

  const templateDir = join(options.templatesDir ?? TEMPLATES_DIR, language);
  if (!existsSync(templateDir)) throw new UserError(`the ${language} template is missing (${templateDir})`);
  const files: TemplateFile[] = renderTemplate(language, { serviceName: name, routePath, port }, templateDir);
  if (language === 'ts') files.push(...vendoredRegisterLibrary(options.registerLibraryDir));
  if (language === 'go') files.push(...vendoredGoRegisterPackage(options.goRegisterPackageDir));

  writeService(serviceDir, files);
  try {
    // Through a temporary file and a rename: an interrupted write never leaves a half mkdev.yaml.
    const temporary = `${projectFile}.${process.pid}.tmp`;
    writeFileSync(temporary, newYaml);
    renameSync(temporary, projectFile);
  } catch (error) {
    rmSync(serviceDir, { recursive: true, force: true });
    throw error;
  }
  return {
    serviceDir,
    projectFile,
    createdProjectFile,
    files: files.map((f) => f.path),
    language,
    routePath,
    port,
  };
}

/** Writes the files; on any failure removes what it created, so nothing half-written stays. */
function writeService(serviceDir: string, files: readonly TemplateFile[]): void {
  const servicesDir = dirname(serviceDir);
  const createdServicesDir = !existsSync(servicesDir);
  try {
    mkdirSync(serviceDir, { recursive: true });
    for (const file of files) {
      const target = join(serviceDir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: file.mode });
    }
  } catch (error) {
    rmSync(serviceDir, { recursive: true, force: true });
    if (createdServicesDir) rmSync(servicesDir, { recursive: true, force: true });
    throw error;
  }
}
