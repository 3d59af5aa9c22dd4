import pkg from '../../package.json';

/** The companion server's version, inlined from server/package.json at build time. */
export const SERVER_VERSION: string = pkg.version;

export const API_PREFIX = '/conveyor/api/v1';
