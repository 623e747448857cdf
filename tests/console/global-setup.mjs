// Once per run, before the tests: the server is up and the demo data is
// there; the suite's one routing rule makes residents' heating reports of
// Guanlan grid 2 wait for a dispatcher (triage) with the heating company as
// the routing suggestion, instead of being dispatched by the demo's
// auto-dispatch rule. Everything else each test creates for itself.

import { Api } from './lib/api.mjs';

export default async function globalSetup(config) {
  const baseURL = config.projects[0].use.baseURL;
  const api = new Api(baseURL);
  const ready = await fetch(`${baseURL}/readyz`);
  if (!ready.ok) throw new Error(`${baseURL}/readyz answered ${ready.status}`);
  const admin = await api.login('admin');
  await api.ensureTriageRule(admin);
}
