import { createRequire } from 'node:module';
import { InputError } from '../errors.js';

/**
 * Redis for the job queue: the address a `--queue redis://HOST:PORT` names, and ioredis clients
 * for BullMQ. BullMQ's ES-module build cannot load ioredis itself (it needs `require`), so the
 * client is made here and handed to it; ioredis is loaded only when a queue is used.
 */

/** Where a Redis server is. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly db?: number;
  /** The URL as the user gave it, for messages. */
  readonly url: string;
}

/** The part of an ioredis client used here and by BullMQ (which takes it as its connection). */
export interface RedisClient {
  connect(): Promise<void>;
  ping(): Promise<string>;
  disconnect(): void;
  quit(): Promise<string>;
  duplicate(): RedisClient;
  on(event: 'error', listener: (e: Error) => void): RedisClient;
}

type RedisConstructor = new (options: Record<string, unknown>) => RedisClient;

/** `redis://[:password@]host[:port][/db]`; anything else is an InputError naming `flag`. */
export function parseRedisUrl(text: string, flag: string): RedisAddress {
  const bad = new InputError(`${flag} must be a URL redis://HOST:PORT (got "${text}")`);
  if (!URL.canParse(text)) throw bad;
  const u = new URL(text);
  if (u.protocol !== 'redis:' || u.hostname === '') throw bad;
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) {
    throw new InputError(`${flag}: the database after the host must be a number (got "${text}")`);
  }
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    url: text,
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    ...(db === undefined ? {} : { db }),
  };
}

function redisConstructor(): RedisConstructor {
  const require = createRequire(import.meta.url);
  let module: { Redis?: RedisConstructor };
  try {
    module = require('ioredis') as { Redis?: RedisConstructor };
  } catch {
    throw new InputError(
      '--queue needs the ioredis package (BullMQ connects through it): npm install ioredis',
    );
  }
  if (module.Redis === undefined) throw new InputError('the ioredis package has no Redis client');
  return module.Redis;
}

/**
 * A client for BullMQ: blocking commands wait as long as they need (`maxRetriesPerRequest: null`),
 * and a lost connection is retried.
 */
export function redisClient(a: RedisAddress): RedisClient {
  const { url: _url, ...options } = a;
  const Redis = redisConstructor();
  return new Redis({ ...options, maxRetriesPerRequest: null });
}

/**
 * Checks that the server answers before anything waits on it: an InputError naming the URL when it
 * does not within `timeoutMs` (a client would otherwise retry the connection forever).
 */
export async function checkReachable(a: RedisAddress, timeoutMs = 5000): Promise<void> {
  const { url: _url, ...options } = a;
  const Redis = redisConstructor();
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  const failed = (e: unknown) =>
    new InputError(`cannot reach Redis at ${a.url}: ${(e as Error).message}`);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw failed(e);
  } finally {
    client.disconnect();
  }
}
