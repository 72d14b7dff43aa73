export { folderEndpoint, writeAtomically, safeName, type FolderConfig } from './folder.ts';
