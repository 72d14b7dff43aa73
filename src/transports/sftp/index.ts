export { openRemoteFile, sftpEndpoint, type SftpConfig } from './sftp.ts';
export { advanceCursor, newFiles, parseCursor, type InboxCursor, type RemoteFile } from './cursor.ts';
export { fingerprintOf, normaliseFingerprint, normalisePrivateKey } from './connection.ts';
