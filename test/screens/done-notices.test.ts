import { describe, expect, it } from 'vitest';
import { doneNotices } from '../../src/screens/done-notices.js';

describe('Done screen notices', () => {
  it('folds the per-node certificate notices into one line with the earliest date', () => {
    const out = doneNotices([
      'master02: certificates expire from 2027-12-01 (apiserver, in 365 days); k8s-certs-renew.timer renews them',
      'master01: certificates expire from 2027-11-30 (apiserver, in 364 days); k8s-certs-renew.timer renews them',
      'master03: certificates expire from 2027-12-01 (apiserver, in 365 days); k8s-certs-renew.timer renews them',
      'master01: Kuboard v3 is at http://172.16.100.100:30080',
      'worker01: something else',
    ]);
    expect(out).toEqual([
      'master01: Kuboard v3 is at http://172.16.100.100:30080',
      "The cluster's certificates expire from 2027-11-30 (checked on 3 control planes); the renewal timer renews them monthly.",
    ]);
    expect(doneNotices(['worker01: something else'])).toEqual([]);
  });
});
