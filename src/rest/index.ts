/**
 * The REST client: the only code that knows the server's URLs. Its plugin is
 * in `plugin.ts`, so models and specs import this without the application.
 */
export * from './client';
export * from './events';
export * from './git';
export * from './info';
export * from './query';
export * from './request';
export * from './runColumns';
export * from './runs';
export * from './validationReport';
export * from './validations';
export * from './views';
