/**
 * Public API of services/: reaching PostgreSQL and Redis (connections whose
 * failures become errors a person can act on), finding them for a command
 * (environment, local servers, throw-away servers), and the reference API in a
 * process of its own.
 */
export { describePg, pgError, connectPg, withPg, adminUrl, ident, ensureDatabase } from './postgres.ts';
export { describeRedis, redisError, connectRedis, deletePrefix } from './redis.ts';
export {
  resolveServices,
  isListening,
  type Services,
  type ThrowawayPostgres,
  type ThrowawayRedis,
} from './discover.ts';
export { freePort, findBinary, postgresBinDirs, startThrowawayPostgres, startThrowawayRedis } from './throwaway.ts';
export { startApiProcess, type ApiProcess } from './api-process.ts';
export { assertCanListen, listenError } from './port.ts';
