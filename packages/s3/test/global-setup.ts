import { testServerUrl } from '@cairn/test-servers'

/** Fails the whole run, with the way to fix it, when the shared test server is missing. */
export default function setup(): void {
  testServerUrl('s3')
}
