// The connector's API; the module is already instantiated when the import resolves.
export * from './sentinelone_connector.js';
