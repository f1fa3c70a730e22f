export * from './completion';
export * from './context';
export * from './editor';
export * from './errors';
export * from './FilterBox';
export * from './language';
export * from './tokens';
