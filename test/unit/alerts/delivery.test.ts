import { AlertDeliveryError, AlertsInFlightError, deliverAlerts } from '../../../lambda/app/alert-delivery';
import { alert } from '../core/alerts/alert-factory';
import { MemoryLedger, RecordingChannel } from './fakes';

describe('deliverAlerts', () => {
  it('delivers each alert on every channel and marks it sent', async () => {
    const ledger = new MemoryLedger();
    const sns = new RecordingChannel('sns');
    const events = new RecordingChannel('eventbridge');
    const finding = alert();

    const counts = await deliverAlerts([finding], { ledger, channels: [sns, events] });

    expect([counts, sns.delivered, events.delivered]).toEqual([{ sent: 1, alreadySent: 0, inFlight: 0 }, [finding], [finding]]);
  });

  it('does not deliver again an alert already sent (a retried file)', async () => {
    const ledger = new MemoryLedger();
    const sns = new RecordingChannel('sns');
    const finding = alert();
    await deliverAlerts([finding], { ledger, channels: [sns] });

    const counts = await deliverAlerts([finding], { ledger, channels: [sns] });

    expect([counts, sns.delivered.length]).toEqual([{ sent: 0, alreadySent: 1, inFlight: 0 }, 1]);
  });

  it('claims an alert listed twice once', async () => {
    const sns = new RecordingChannel('sns');
    const finding = alert();

    await deliverAlerts([finding, finding], { ledger: new MemoryLedger(), channels: [sns] });

    expect(sns.delivered).toEqual([finding]);
  });

  it('releases the claim and throws when a channel fails, so the retry sends it', async () => {
    const ledger = new MemoryLedger();
    const finding = alert();
    await expect(
      deliverAlerts([finding], { ledger, channels: [new RecordingChannel('sns', new Set([finding.eventID]))] }),
    ).rejects.toThrow(AlertDeliveryError);
    const sns = new RecordingChannel('sns');

    await deliverAlerts([finding], { ledger, channels: [sns] });

    expect(sns.delivered).toEqual([finding]);
  });

  it('on retry, delivers only on the channel that failed', async () => {
    const ledger = new MemoryLedger();
    const finding = alert();
    const snsFirst = new RecordingChannel('sns');
    await expect(
      deliverAlerts([finding], {
        ledger,
        channels: [snsFirst, new RecordingChannel('eventbridge', new Set([finding.eventID]))],
      }),
    ).rejects.toThrow(AlertDeliveryError);
    const snsRetry = new RecordingChannel('sns');
    const eventsRetry = new RecordingChannel('eventbridge');

    await deliverAlerts([finding], { ledger, channels: [snsRetry, eventsRetry] });

    expect([snsFirst.delivered.length, snsRetry.delivered.length, eventsRetry.delivered.length]).toEqual([1, 0, 1]);
  });

  it('sends the others, then throws, when an alert is held by another attempt', async () => {
    const ledger = new MemoryLedger();
    const held = alert();
    const free = alert();
    ledger.holdByAnotherAttempt(held);
    const sns = new RecordingChannel('sns');

    const error = await deliverAlerts([held, free], { ledger, channels: [sns] }).catch((e: unknown) => e);

    expect([error instanceof AlertsInFlightError, sns.delivered]).toEqual([true, [free]]);
  });
});
