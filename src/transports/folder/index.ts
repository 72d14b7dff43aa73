export { folderEndpoint, writeAtomically, safeName, deliveryFileName, type FolderConfig } from './folder.ts';
