import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EventEmitter } from 'node:events';
import SftpClient from 'ssh2-sftp-client';
import type { Logger } from 'pino';

export interface ConnectionSettings {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  privateKeyPath?: string;
  passphrase?: string;
  password?: string;
  hostKey?: string;
  connectTimeoutMs: number;
}

/** An SFTP failure with what a retry could change: `permanent` ones need a person (key, rights, config). */
export class SftpFailure extends Error {
  constructor(message: string, readonly permanent: boolean, readonly connectionLost: boolean, readonly sftpStatus?: number) {
    super(message);
    this.name = 'SftpFailure';
  }
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that retrying does not change. */
export const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** `SHA256:abc...` or `abc...` (as ssh-keygen -l prints it) to the bare unpadded base64 digest. */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/^SHA256:/, '').replace(/=+$/, '');
}

export function fingerprintOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/**
 * Keys from an environment variable often arrive with their line breaks lost: folded to spaces by
 * YAML or written as literal "\n". Rebuild the PEM/OpenSSH armour so ssh2 can parse it.
 */
export function normalisePrivateKey(text: string): string {
  const key = text.replace(/\\n/g, '\n').trim();
  if (key.includes('\n')) return key + '\n';
  const m = /^(-----BEGIN [A-Z0-9 ]+-----)\s*(.*?)\s*(-----END [A-Z0-9 ]+-----)$/.exec(key);
  if (!m) return key;
  return `${m[1]}\n${m[2].split(/\s+/).join('\n')}\n${m[3]}\n`;
}

/**
 * One SSH connection with its SFTP channel, kept open across polls and deliveries and opened again
 * after it is lost. Operations run through `run`, which classifies failures and drops a connection
 * that broke so the next call reconnects.
 */
export class SftpConnection {
  private client: SftpClient | undefined;
  private connecting: Promise<SftpClient> | undefined;
  private warnedUnpinned = false;

  constructor(private readonly s: ConnectionSettings, private readonly baseDir: string, private readonly logger: Logger) {}

  get where(): string {
    return `${this.s.host}:${this.s.port}`;
  }

  /** Runs `op` on a connected client; failures come back as SftpFailure saying what was being done. */
  async run<T>(what: string, op: (client: SftpClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await op(client);
    } catch (e) {
      const failure = classify(e, `${what} on ${this.where}`);
      if (failure.connectionLost) await this.drop(client);
      throw failure;
    }
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    const client = this.client ?? (await pending?.catch(() => undefined));
    if (client) await this.drop(client);
  }

  private connect(): Promise<SftpClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  private async open(): Promise<SftpClient> {
    let lastError: (Error & { level?: string }) | undefined;
    let offered: string | undefined;
    const expected = this.s.hostKey ? normaliseFingerprint(this.s.hostKey) : undefined;
    const client: SftpClient = new SftpClient('causeway', {
      // The library's defaults print to the console; a lost connection is noticed by the next call.
      error: () => undefined,
      end: () => this.forget(client),
      close: () => this.forget(client),
    });
    const ssh = (client as unknown as { client: EventEmitter }).client;
    // The library rewraps errors and drops ssh2's `level` (client-authentication...); keep the original.
    ssh.on('error', (e: Error) => { lastError = e; });
    // Concurrent deliveries each add listeners for the duration of their operation.
    ssh.setMaxListeners(0);
    try {
      await client.connect({
        host: this.s.host,
        port: this.s.port,
        username: this.s.username,
        privateKey: await this.privateKey(),
        passphrase: this.s.passphrase,
        password: this.s.password,
        readyTimeout: this.s.connectTimeoutMs,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          offered = fingerprintOf(key);
          return expected === undefined || offered === expected;
        },
      });
    } catch (e) {
      await client.end().catch(() => undefined);
      const where = `connecting to SFTP server ${this.where}`;
      if (expected !== undefined && offered !== undefined && offered !== expected) {
        throw new SftpFailure(`${where}: host key mismatch: the server offered SHA256:${offered}, the config expects SHA256:${expected}`, true, true);
      }
      throw classify(lastError ?? e, where);
    }
    if (!expected && !this.warnedUnpinned) {
      this.warnedUnpinned = true;
      this.logger.warn({ server: this.where, hostKey: `SHA256:${offered}` }, 'SFTP server key not verified: set hostKey to this fingerprint');
    }
    this.client = client;
    return client;
  }

  private forget(client: SftpClient): void {
    if (this.client === client) this.client = undefined;
  }

  private async drop(client: SftpClient): Promise<void> {
    this.forget(client);
    await client.end().catch(() => undefined);
  }

  private async privateKey(): Promise<string | undefined> {
    if (this.s.privateKey) return normalisePrivateKey(this.s.privateKey);
    if (!this.s.privateKeyPath) return undefined;
    const path = resolve(this.baseDir, this.s.privateKeyPath);
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new SftpFailure(`connecting to SFTP server ${this.where}: cannot read privateKeyPath ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, true, false);
    }
  }
}

/** Sorts an error into what a retry may fix (network, server away) and what it will not. */
export function classify(e: unknown, doing: string): SftpFailure {
  if (e instanceof SftpFailure) return e;
  const err = e as Error & { code?: unknown; level?: string };
  const message = stripLibraryPrefix(err?.message ?? String(e));
  if (err?.level === 'client-authentication') return new SftpFailure(`${doing}: authentication refused (${message})`, true, true);
  if (err?.level === 'client-timeout') return new SftpFailure(`${doing}: ${message}`, false, true);
  if (typeof err?.code === 'number') {
    // The server answered with an SFTP status: the connection itself is fine.
    if (err.code === SFTP_PERMISSION_DENIED) return new SftpFailure(`${doing}: permission denied (${message})`, true, false, err.code);
    if (err.code === SFTP_NO_SUCH_FILE) return new SftpFailure(`${doing}: no such file or folder (${message})`, false, false, err.code);
    return new SftpFailure(`${doing}: ${message}`, false, false, err.code);
  }
  if (typeof err?.code === 'string' && NETWORK_CODES.has(err.code)) {
    return new SftpFailure(`${doing}: ${message.includes(err.code) ? message : `${err.code} ${message}`}`, false, true);
  }
  if (/authentication methods failed/i.test(message)) return new SftpFailure(`${doing}: authentication refused (${message})`, true, true);
  if (/Cannot parse privateKey|privateKey value/i.test(message)) return new SftpFailure(`${doing}: ${message}`, true, true);
  // Unknown: assume the connection is suspect and let the engine try again within its budget.
  return new SftpFailure(`${doing}: ${message}`, false, true);
}

function stripLibraryPrefix(message: string): string {
  return message.replace(/^(?:[A-Za-z_]+(?:->|: ))+/, '');
}
