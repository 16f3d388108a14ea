import { runNode, loadOptions, testCredential } from './support/harness.mjs';
import { startLiveStack } from './support/liveStack.mjs';
const stack = await startLiveStack();
try {
  const creds = { baseUrl: stack.base_url, apiKey: stack.api_key };
  console.log(await testCredential(creds));
  console.log((await loadOptions({ credentials: creds, method: 'getProviders' })));
  const r = await runNode({ credentials: creds, parameters: { operation: 'route', task: 'Write a haiku about {{ $json.topic }}' }, items: [{topic: 'cats'}] });
  console.log(JSON.stringify(r, null, 1).slice(0, 1500));
} finally { await stack.stop(); }
