export * from './copy';
export * from './CopyLinkButton';
export * from './model';
export * from './SavedViews';
