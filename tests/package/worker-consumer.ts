// The README's Cloudflare Workers recipe, compiled with tsc --strict against the installed package: the
// package's two subpaths resolve, and the .wasm imported as the module the runtime compiled (typed as
// Workers' types type it, wasm-modules.d.ts) goes to initSync. (Any object passes for a
// WebAssembly.Module, an empty interface: the types of the call itself prove little.)
import wasm from 'sentinelone-connector/sentinelone_connector_bg.wasm';
import { initSync, evaluateDeviceTrust } from 'sentinelone-connector/web';

initSync({ module: wasm });

export default {
  async fetch(request: Request): Promise<Response> {
    const serialNumber = new URL(request.url).searchParams.get('serial') ?? '';
    const verdict = await evaluateDeviceTrust({ baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'token' }, { serialNumber });
    const trusted: boolean = verdict.trusted;
    return new Response(trusted ? 'trusted' : verdict.reasons.map((reason) => reason.remediation).join('\n'));
  },
};
