import { AlertDeliveryError } from '../../../lambda/app/alert-delivery';
import { EventBridgeAlertChannel } from '../../../lambda/alerts/eventbridge-publisher';
import { alert } from '../core/alerts/alert-factory';
import { FakeEventBridge } from './fakes';

function channel(client: FakeEventBridge): EventBridgeAlertChannel {
  return new EventBridgeAlertChannel({ client, eventBusName: 'audit-bus', baseDelayMs: 0 });
}

describe('EventBridgeAlertChannel', () => {
  it('puts a trail-audit finding whose detail is the alert, on the configured bus', async () => {
    const client = new FakeEventBridge();
    const finding = alert();

    await channel(client).deliver([finding]);

    const entry = client.batches[0]?.[0];
    expect({ ...entry, Detail: JSON.parse(entry?.Detail ?? 'null') as unknown }).toMatchObject({
      Source: 'trail-audit',
      DetailType: 'trail-audit finding',
      EventBusName: 'audit-bus',
      Detail: finding,
    });
  });

  it('puts events in batches of at most 10', async () => {
    const client = new FakeEventBridge();

    await channel(client).deliver(Array.from({ length: 11 }, () => alert()));

    expect(client.batches.map((b) => b.length)).toEqual([10, 1]);
  });

  it('retries the failed entries of a batch', async () => {
    const flaky = alert();
    const client = new FakeEventBridge({ [flaky.eventID]: 2 });

    await channel(client).deliver([alert(), flaky]);

    expect(client.batches.map((b) => b.length)).toEqual([2, 1, 1]);
  });

  it('throws once retries are spent', async () => {
    const down = alert();
    const client = new FakeEventBridge({ [down.eventID]: 3 });

    await expect(channel(client).deliver([down])).rejects.toThrow(AlertDeliveryError);
  });
});
