/**
 * The metrics contract between the processor and the monitoring construct: every alarm and dashboard metric in the
 * namespace is one the processor emits (`lambda/app/metric-names.ts`), so renaming a metric cannot disarm an alarm.
 */
import { isEmittedMetricName, METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambda/app/metric-names';
import { synthesise } from './synth';

interface AlarmProperties {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { Name: string; Value: string }[];
}

describe('metrics contract', () => {
  const synth = synthesise({});
  afterAll(() => synth.cleanup());

  it('arms every alarm in the processor namespace on a metric the processor emits, with its service dimension', () => {
    // Prepare
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map(
      (resource) => (resource as { Properties: AlarmProperties }).Properties,
    );

    // Act
    const ours = alarms.filter((alarm) => alarm.Namespace === METRICS_NAMESPACE);

    // Assess
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const alarm of ours) {
      expect({ metric: alarm.MetricName, emitted: isEmittedMetricName(alarm.MetricName ?? '') }).toEqual({
        metric: alarm.MetricName,
        emitted: true,
      });
      expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: SERVICE_NAME }]);
    }
  });

  it('draws the dashboard from metrics the processor emits', () => {
    // Prepare
    const dashboard = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardBody: unknown };
    };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Act: metric arrays in a dashboard body read ["TrailAudit","<MetricName>","service","trail-audit", ...]
    const names = [...body.matchAll(/\\"TrailAudit\\",\\"([^"\\]+)\\"/g)].map((match) => match[1] ?? '');

    // Assess
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names.filter((name) => !isEmittedMetricName(name))).toEqual([]);
  });

  it('tells an emitted name from one that is not', () => {
    expect([isEmittedMetricName('FilesFailed'), isEmittedMetricName('EventsStored.elbv2'), isEmittedMetricName('FileFailed')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
