/**
 * Jest gives every test file a fresh nock, but the HTTP interceptor a file's nock installs
 * outlives the file inside the worker process. Leave the worker as found, so that a later file
 * which talks to a real loopback server is not refused by an earlier file's disableNetConnect.
 */
import { afterAll } from '@jest/globals';
import nock from 'nock';

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
