import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runTool } from './testing/promtool.js';
import { repoRoot } from './testing/rule-files.js';

const file = join(repoRoot, 'monitoring/alertmanager/alertmanager.yml');

interface Receiver {
  readonly name: string;
  readonly webhook_configs?: readonly { readonly url: string }[];
  readonly telegram_configs?: readonly object[];
  readonly email_configs?: readonly object[];
}

describe('Alertmanager configuration', () => {
  it('passes amtool check-config', () => {
    const r = runTool('amtool', ['check-config', file]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('routes to the apprentice webhook, Telegram and e-mail without inline secrets', () => {
    const text = readFileSync(file, 'utf8');
    const config = parse(text) as { receivers: Receiver[]; route: { receiver: string } };
    const byName = new Map(config.receivers.map((r) => [r.name, r]));
    expect(config.route.receiver).toBe('apprentice-webhook');
    expect(byName.get('apprentice-webhook')?.webhook_configs?.[0]?.url).toBe(
      'http://127.0.0.1:8080/api/v1/alerts/webhook',
    );
    expect(byName.get('telegram-oncall')?.telegram_configs?.length).toBe(1);
    expect(byName.get('email-team')?.email_configs?.length).toBe(1);
    expect(text).toContain('smtp_auth_password_file');
    expect(text).not.toMatch(/smtp_auth_password:\s/);
    expect(text).toMatch(/bot_token: REPLACE_WITH_/);
  });
});
