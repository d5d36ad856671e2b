import { AlertObserver } from '../../../lambda/alerts/alert-observer';
import { AlertConfigError, alertObserverFromEnv } from '../../../lambda/alerts/from-env';

const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:trail-audit-alerts';

/** A DynamoDB client that must not be called while the observer is built. */
const unusedDynamoDB = {
  send: (): Promise<never> => Promise.reject(new Error('no DynamoDB call expected while building the observer')),
};

class RecordingLogger {
  readonly lines: { level: string; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
}

describe('alertObserverFromEnv', () => {
  it('builds the observer when a topic and a table are set', () => {
    // act
    const observer = alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events', AWS_REGION: 'us-west-2' }, unusedDynamoDB);

    // assess
    expect(observer).toBeInstanceOf(AlertObserver);
  });

  it('returns no observer when no topic is set', () => {
    // act
    const observer = alertObserverFromEnv({ TABLE_NAME: 'events' }, unusedDynamoDB);

    // assess
    expect(observer).toBeUndefined();
  });

  it('warns that compliance alerts are off when no topic is set', () => {
    // prepare
    const logger = new RecordingLogger();

    // act
    alertObserverFromEnv({ TABLE_NAME: 'events', ALERT_TOPIC_ARN: '' }, unusedDynamoDB, { logger });

    // assess
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.stringContaining('compliance alerts are off') as unknown }]);
  });

  it('does not warn when alerts are on', () => {
    // prepare
    const logger = new RecordingLogger();

    // act
    alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events' }, unusedDynamoDB, { logger });

    // assess
    expect(logger.lines).toEqual([]);
  });

  it('rejects a topic without the table its ledger needs', () => {
    // act
    const building = (): unknown => alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN }, unusedDynamoDB);

    // assess
    expect(building).toThrow(AlertConfigError);
  });
});
