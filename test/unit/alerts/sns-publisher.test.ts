import { AlertDeliveryError } from '../../../lambda/app/alert-delivery';
import { SnsAlertChannel } from '../../../lambda/alerts/sns-publisher';
import { snsMessage, snsSubject } from '../../../lambda/core/alerts/format';
import { alert } from '../core/alerts/alert-factory';
import { FakeSns } from './fakes';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:trail-audit-alerts';

function channel(client: FakeSns): SnsAlertChannel {
  return new SnsAlertChannel({ client, topicArn: TOPIC, baseDelayMs: 0 });
}

describe('SnsAlertChannel', () => {
  it('publishes subject, body and the severity and rule attributes to the topic', async () => {
    const client = new FakeSns();
    const finding = alert();

    await channel(client).deliver([finding]);

    expect([client.topics, client.entries]).toEqual([
      [TOPIC],
      [
        {
          Id: '0',
          Subject: snsSubject(finding),
          Message: snsMessage(finding),
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: 'high' },
            rule: { DataType: 'String', StringValue: 'elbv2.deletion-protection-disabled' },
          },
        },
      ],
    ]);
  });

  it('publishes in batches of at most 10', async () => {
    const client = new FakeSns();

    await channel(client).deliver(Array.from({ length: 23 }, () => alert()));

    expect(client.batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('retries a failed entry alone', async () => {
    const client = new FakeSns({ '[LOW] Flaky - x': 1 });

    await channel(client).deliver([alert(), alert({ severity: 'low', title: 'Flaky', target: 'x' })]);

    expect(client.batches.map((b) => b.map((e) => e.Subject))).toEqual([
      ['[HIGH] Load balancer deletion protection turned off - shop-alb', '[LOW] Flaky - x'],
      ['[LOW] Flaky - x'],
    ]);
  });

  it('throws naming what was and was not delivered once retries are spent', async () => {
    const client = new FakeSns({ '[LOW] Down - x': 5 });
    const ok = alert();
    const down = alert({ severity: 'low', title: 'Down', target: 'x' });

    const error = await channel(client).deliver([ok, down]).catch((e: unknown) => e);

    expect(error).toEqual(expect.any(AlertDeliveryError));
    expect([(error as AlertDeliveryError).delivered, (error as AlertDeliveryError).failed.map((f) => f.alert)]).toEqual([[ok], [down]]);
  });

  it('does not retry an entry SNS rejects as the sender\'s fault', async () => {
    const client = new FakeSns({ '[LOW] Bad - x': 5 }, true);

    await expect(channel(client).deliver([alert({ severity: 'low', title: 'Bad', target: 'x' })])).rejects.toThrow(
      'sns: 1 alert(s) not delivered',
    );
    expect(client.batches).toHaveLength(1);
  });
});
