// Compiled with tsc --strict against the installed package: the API's types are real, not `any`.
import {
  getAgentBySerialNumber,
  invoke,
  manifest,
  outputSchema,
  type ConnectorError,
  type FetchShim,
  type GetAgentBySerialNumberOutput,
} from 'sentinelone-connector';

const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'token' };
const shim: FetchShim = async (request) => ({ status: 200, body: request.url });
// A shim may hand back its fetch's Response as it is.
export const passOn: FetchShim = (request) => fetch(request.url, request);

export async function typed(): Promise<string | null> {
  const out: GetAgentBySerialNumberOutput = await getAgentBySerialNumber(connection, { serialNumber: 'C02' }, { fetch: shim });
  const found: boolean = out.agentFound;
  const viaInvoke = await invoke('getAgentBySerialNumber', { connection, input: { serialNumber: 'C02' } });
  const count: number = viaInvoke.matchCount;
  const title: string = manifest().capabilities.getAgentBySerialNumber.title;
  outputSchema('getAgentBySerialNumber');
  try {
    await getAgentBySerialNumber(connection, { serialNumber: 'C02' }, { allowedHosts: ['*.sentinelone.net'] });
  } catch (e) {
    const code: ConnectorError['code'] = (e as ConnectorError).code;
    return `${found}${count}${title}${code}`;
  }
  return out.agentId;
}

// Each line below must be a type error; if the types were `any`, tsc would fail on the unused directive.
// @ts-expect-error serialNumber must be a string
getAgentBySerialNumber(connection, { serialNumber: 42 });
// @ts-expect-error the connection needs an apiToken
getAgentBySerialNumber({ baseUrl: 'https://x' }, { serialNumber: 'C02' });
// @ts-expect-error unknown capability name
invoke('wipeAgent', { connection, input: { serialNumber: 'C02' } });
// @ts-expect-error agentFound is a boolean, not a string
export const wrong: string = (await getAgentBySerialNumber(connection, { serialNumber: 'C02' })).agentFound;
// @ts-expect-error the shim must resolve with a status
export const badShim: FetchShim = async () => ({ body: '' });
// @ts-expect-error allowedHosts is a list of host patterns, not one
getAgentBySerialNumber(connection, { serialNumber: 'C02' }, { allowedHosts: '*.sentinelone.net' });
