/**
 * Jest global setup of the unit project: rebuilds the Lambda function bundles from the current source, since the
 * infrastructure tests synthesise them (the constructs deploy the pre-built bundles as they are).
 */
import { build } from '../../scripts/build';

export default async function globalSetup(): Promise<void> {
  await build(['processor']);
}
