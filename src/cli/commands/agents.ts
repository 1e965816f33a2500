import { Command } from 'commander';
import { type ApiFlags, apiOptions, callApi, readJsonFile, runAction as run } from '../api.js';
import { print, table } from '../output.js';

interface AgentView {
  name: string;
  version: number;
  kind: string;
  feedback: string;
  labels?: string[];
  features: { name: string; type: string }[];
  updatedAt: string;
}

const row = (a: AgentView): string[] => [a.name, String(a.version), a.kind, a.feedback, String(a.features.length), a.updatedAt];
const HEAD = ['agent', 'version', 'kind', 'feedback', 'features', 'updated'];

/**
 * `apprentice agents put <agent> <file|->` (register or update an agent definition: kind, labels,
 * feedback, feature spec) and `agents get [agent]`, over the HTTP API of a running server.
 * @example apprentice agents put ticket-router ./ticket-router.json --reason "first version"
 */
export function agentsCommand(): Command {
  const cmd = new Command('agents').description('register and read agent definitions (kind, labels, feedback, feature spec) of a running server');
  apiOptions(cmd.command('get').argument('[agent]').description('one agent definition, or every agent'))
    .action((agent: string | undefined, flags: ApiFlags) =>
      run(async () => {
        if (agent) {
          const a = await callApi<AgentView>(flags, 'GET', `/api/v1/agents/${encodeURIComponent(agent)}`);
          print(a, flags.json ?? false, () => `${table([HEAD, row(a)])}\n${JSON.stringify(a, null, 2)}`);
        } else {
          const { agents } = await callApi<{ agents: AgentView[] }>(flags, 'GET', '/api/v1/agents');
          print(agents, flags.json ?? false, () => (agents.length === 0 ? 'no agents registered' : table([HEAD, ...agents.map(row)])));
        }
      }),
    );
  apiOptions(cmd.command('put').argument('<agent>').argument('<file>', 'the definition as JSON ("-" for stdin)').description('create or update an agent definition (a new version each time)'))
    .option('--reason <text>', 'why (audit trail)')
    .action((agent: string, file: string, flags: ApiFlags & { reason?: string }) =>
      run(async () => {
        const definition = readJsonFile(file, 'agent definition');
        const a = await callApi<AgentView>(flags, 'PUT', `/api/v1/agents/${encodeURIComponent(agent)}`, definition, flags.reason);
        print(a, flags.json ?? false, () => `${a.name} is now version ${a.version}`);
      }),
    );
  return cmd;
}
