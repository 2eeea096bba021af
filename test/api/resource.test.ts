/** `/v1/resource`, `/v1/search/resource` and the batch by resource, as Gnocchi's gabbits do. */
import assert from 'node:assert/strict';

import { ADMIN, FOOBAZ } from './harness.ts';
import { count, description, header, json, runCases, type CaseResponse } from './cases.ts';

const ID = 'f93450f2-d8a5-4d67-9985-02511241e7d1';
const LAST = `/v1/resource/generic/${ID}`;
const etagOf = (response: CaseResponse) => String(response.headers.etag);
const ids = (response: CaseResponse) => (response.json() as { id: string }[]).map((r) => r.id);

runCases(
  'resources',
  [
    {
      name: 'needs a policy',
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: ADMIN },
      body: { name: 'p', definition: [{ granularity: '1 minute', points: 60 }] },
      status: 201,
    },
    {
      name: 'and a rule for metrics created without one',
      method: 'POST',
      url: '/v1/archive_policy_rule',
      headers: { authorization: ADMIN },
      body: { name: 'all', metric_pattern: '*', archive_policy_name: 'p' },
      status: 201,
    },
    {
      name: 'lists nothing at first',
      method: 'GET',
      url: '/v1/resource/generic',
      status: 200,
      expect: count(0),
    },
    {
      name: 'links each type',
      method: 'GET',
      url: '/v1/resource',
      status: 200,
      expect: json({ generic: 'http://localhost:80/v1/resource/generic' }),
    },
    {
      name: 'creates a generic resource with a metric',
      method: 'POST',
      url: '/v1/resource/generic',
      body: {
        id: ID,
        started_at: '2014-01-03T02:02:02.000000',
        user_id: '0fbb231484614b1a80131fc22f6afc9c',
        project_id: 'f3d41b770cc14f0bb94a1d5be9c0e3ea',
        metrics: { cpu: { archive_policy_name: 'p' } },
      },
      status: 201,
      expect: [
        header('location', `http://localhost:80/v1/resource/generic/${ID}`),
        header('etag', /^"[0-9a-f]{40}"$/),
        header('last-modified', /GMT$/),
        json({
          id: ID,
          type: 'generic',
          creator: 'foobar',
          created_by_user_id: 'foobar',
          created_by_project_id: '',
          started_at: '2014-01-03T02:02:02+00:00',
          ended_at: null,
          revision_end: null,
          user_id: '0fbb231484614b1a80131fc22f6afc9c',
          original_resource_id: ID,
        }),
        (response) => {
          const body = response.json() as { metrics: Record<string, string> };
          assert.deepEqual(Object.keys(body.metrics), ['cpu']);
        },
      ],
    },
    {
      name: 'refuses the same id again',
      method: 'POST',
      url: '/v1/resource/generic',
      body: { id: ID },
      status: 409,
      expect: description(`Resource ${ID} already exists`),
    },
    {
      name: 'refuses an end before the start',
      method: 'POST',
      url: '/v1/resource/generic',
      body: { id: 'x', started_at: '2015-01-02', ended_at: '2015-01-01' },
      status: 400,
      expect: description('Start timestamp cannot be after end timestamp'),
    },
    {
      name: 'refuses an unknown attribute',
      method: 'POST',
      url: '/v1/resource/generic',
      body: { id: 'x', nope: 1 },
      status: 400,
      expect: description({ reason: "extra keys not allowed @ data['nope']", detail: ['nope'] }),
    },
    {
      name: 'answers 404 for an unknown type',
      method: 'POST',
      url: '/v1/resource/nope',
      body: { id: 'x' },
      status: 404,
      expect: description('Resource type nope does not exist'),
    },
    {
      name: 'shows it, with validators',
      method: 'GET',
      url: LAST,
      status: 200,
      expect: [json({ id: ID }), header('etag', /^"/)],
    },
    {
      name: 'answers 304 to a matching If-None-Match',
      method: 'GET',
      url: LAST,
      headers: { 'if-none-match': '"x", W/"y"' },
      status: 200,
    },
    {
      name: 'and to the ETag it gave',
      method: 'GET',
      url: LAST,
      headers: { 'if-none-match': '*' },
      status: 304,
    },
    {
      name: 'refuses a change when If-Match does not match',
      method: 'PATCH',
      url: LAST,
      headers: { 'if-match': '"stale"' },
      body: { user_id: 'someone' },
      status: 412,
    },
    {
      name: 'refuses a change to another user',
      method: 'PATCH',
      url: LAST,
      headers: { authorization: FOOBAZ },
      body: { user_id: 'someone' },
      status: 403,
      expect: description('Access was denied to this resource.'),
    },
    {
      name: 'keeps the revision when nothing changes',
      method: 'PATCH',
      url: LAST,
      body: { user_id: '0fbb231484614b1a80131fc22f6afc9c' },
      status: 200,
      expect: (response, history) => {
        assert.equal(etagOf(response), etagOf(history.get('shows it, with validators')));
      },
    },
    {
      name: 'changes it, making a revision',
      method: 'PATCH',
      url: LAST,
      headers: { 'if-match': '*' },
      body: { ended_at: '2014-01-04T02:02:02', user_id: 'someone' },
      status: 200,
      expect: [
        json({ user_id: 'someone', ended_at: '2014-01-04T02:02:02+00:00' }),
        (response, history) => {
          assert.notEqual(etagOf(response), etagOf(history.get('shows it, with validators')));
        },
      ],
    },
    {
      name: 'refuses to change the id',
      method: 'PATCH',
      url: LAST,
      body: { id: 'other' },
      status: 400,
      expect: description({ reason: "extra keys not allowed @ data['id']" }),
    },
    {
      name: 'shows its history',
      method: 'GET',
      url: `${LAST}/history`,
      status: 200,
      expect: [
        count(2),
        (response) => {
          const [old, current] = response.json() as [
            Record<string, unknown>,
            Record<string, unknown>,
          ];
          assert.equal(old.user_id, '0fbb231484614b1a80131fc22f6afc9c');
          assert.equal(old.revision_end, current.revision_start);
          assert.equal(current.revision_end, null);
        },
      ],
    },
    {
      name: 'lists its metrics',
      method: 'GET',
      url: `${LAST}/metric`,
      status: 200,
      expect: [count(1), json([{ name: 'cpu', resource_id: ID, archive_policy: { name: 'p' } }])],
    },
    {
      name: 'attaches another by name',
      method: 'POST',
      url: `${LAST}/metric`,
      body: { mem: { archive_policy_name: 'p', unit: 'B' } },
      status: 200,
      expect: count(2),
    },
    {
      name: 'refuses a name already used there',
      method: 'POST',
      url: `${LAST}/metric`,
      body: { mem: { archive_policy_name: 'p' } },
      status: 409,
      expect: description('Named metric mem already exists'),
    },
    {
      name: 'shows a metric by name, with its resource',
      method: 'GET',
      url: `${LAST}/metric/mem`,
      status: 200,
      expect: json({ name: 'mem', unit: 'B', resource: { id: ID, type: 'generic' } }),
    },
    {
      name: 'answers 404 for an unknown name',
      method: 'GET',
      url: `${LAST}/metric/nope`,
      status: 404,
      expect: description('Metric nope does not exist'),
    },
    {
      name: 'takes measures by name, NaN and all',
      method: 'POST',
      url: `${LAST}/metric/mem/measures`,
      body: '[{"timestamp": "2014-01-03T02:02:02", "value": NaN}, {"timestamp": "2014-01-03T02:03:02", "value": -Infinity}, {"timestamp": "2014-01-03T02:04:02", "value": 4}]',
      status: 202,
    },
    {
      name: 'reads measures by name',
      method: 'GET',
      url: `${LAST}/metric/mem/measures`,
      status: 200,
      expect: json([]),
    },
    {
      name: 'creates a metric on the resource through /v1/metric',
      method: 'POST',
      url: '/v1/metric',
      body: { archive_policy_name: 'p', name: 'disk', resource_id: ID },
      status: 201,
      expect: json({ name: 'disk', resource_id: ID }),
    },
    {
      name: 'wants a name with a resource_id',
      method: 'POST',
      url: '/v1/metric',
      body: { archive_policy_name: 'p', resource_id: ID },
      status: 400,
      expect: description({
        cause: 'Attribute value error',
        detail: 'name',
        reason: 'Name cannot be null if resource_id is not null',
      }),
    },
    {
      name: 'transforms an external id for its creator',
      method: 'POST',
      url: '/v1/resource/generic',
      body: { id: '1.2.3.4', project_id: 'p1' },
      status: 201,
      expect: json({ id: 'a9c729cc-d1b0-5e6b-b5ba-8b5a7f45f1fc', original_resource_id: '1.2.3.4' }),
    },
    {
      name: 'finds it by its external id',
      method: 'GET',
      url: '/v1/resource/generic/1.2.3.4',
      status: 200,
      expect: json({ original_resource_id: '1.2.3.4' }),
    },
    {
      name: 'which means another resource for another user',
      method: 'GET',
      url: '/v1/resource/generic/1.2.3.4',
      headers: { authorization: FOOBAZ },
      status: 404,
    },
    {
      name: 'lists only what the caller created',
      method: 'GET',
      url: '/v1/resource/generic',
      headers: { authorization: FOOBAZ },
      status: 200,
      expect: count(0),
    },
    {
      name: 'lists everything to the admin',
      method: 'GET',
      url: '/v1/resource/generic?history=true',
      headers: { authorization: ADMIN },
      status: 200,
      expect: count(3),
    },
    {
      name: 'searches with a JSON filter',
      method: 'POST',
      url: '/v1/search/resource/generic',
      body: { or: [{ '=': { id: '1.2.3.4' } }, { like: { user_id: 'some%' } }] },
      status: 200,
      expect: count(2),
    },
    {
      name: 'searches with a string filter',
      method: 'POST',
      url: '/v1/search/resource/generic?filter=project_id%3D%27p1%27%20or%20user_id%20%3D%20nobody',
      status: 200,
      expect: (response) => {
        assert.deepEqual(ids(response), ['a9c729cc-d1b0-5e6b-b5ba-8b5a7f45f1fc']);
      },
    },
    {
      name: 'keeps only the attributes asked for',
      method: 'POST',
      url: '/v1/search/resource/generic?attrs=id&attrs=user_id&attrs=nope',
      body: { '=': { user_id: 'someone' } },
      status: 200,
      expect: (response) => {
        assert.deepEqual(response.json(), [{ id: ID, user_id: 'someone' }]);
      },
    },
    {
      name: 'pages with a Link to the next page',
      method: 'POST',
      url: '/v1/search/resource/generic?limit=1',
      status: 200,
      expect: [
        count(1),
        header(
          'link',
          /limit=1&marker=[0-9a-f-]+&sort=revision_start%3Aasc&sort=started_at%3Aasc>; rel="next"$/,
        ),
      ],
    },
    {
      name: 'refuses an unknown field',
      method: 'POST',
      url: '/v1/search/resource/generic',
      body: { '=': { nope: 1 } },
      status: 400,
      expect: description('Resource type generic has no nope attribute'),
    },
    {
      name: 'refuses a bad value',
      method: 'POST',
      url: '/v1/search/resource/generic',
      body: { '>': { started_at: 'not a date' } },
      status: 400,
      expect: description("Invalid value: `not a date' for field `started_at'"),
    },
    {
      name: 'refuses a malformed filter, as voluptuous',
      method: 'POST',
      url: '/v1/search/resource/generic',
      body: { in: { id: [] } },
      status: 400,
      expect: description({
        cause: 'Invalid input',
        reason: "length of value must be at least 1 for dictionary value @ data['in']['id']",
        detail: ['in', 'id'],
      }),
    },
    {
      name: 'refuses an unparsable string filter',
      method: 'POST',
      url: '/v1/search/resource/generic?filter=id%20%3D',
      status: 400,
      expect: description(/^"Invalid filter: Expected/),
    },
    {
      name: 'posts measures by resource, creating metrics',
      method: 'POST',
      url: '/v1/batch/resources/metrics/measures?create_metrics=true',
      body: {
        '1.2.3.4': {
          'cpu.util': [{ timestamp: '2015-01-01T00:00:00', value: 1 }],
          'disk.io': { archive_policy_name: 'p', measures: [{ timestamp: 1, value: 2 }] },
        },
      },
      status: 202,
    },
    {
      name: 'lists the metrics created',
      method: 'GET',
      url: '/v1/resource/generic/1.2.3.4/metric',
      status: 200,
      expect: count(2),
    },
    {
      name: 'names unknown resources when creating metrics',
      method: 'POST',
      url: '/v1/batch/resources/metrics/measures?create_metrics=true',
      body: { 'nowhere-1': { m: [{ timestamp: 1, value: 2 }] } },
      status: 400,
      expect: description({
        cause: 'Unknown resources',
        detail: [
          {
            resource_id: 'e45f41de-ff92-5250-a87d-b54ddbfab7d2',
            original_resource_id: 'nowhere-1',
          },
        ],
      }),
    },
    {
      name: 'names unknown metrics otherwise',
      method: 'POST',
      url: '/v1/batch/resources/metrics/measures',
      body: { [ID]: { nope: [{ timestamp: 1, value: 2 }] } },
      status: 400,
      expect: description(`Unknown metrics: ${ID}/nope`),
    },
    {
      name: 'refuses a batch delete without a filter',
      method: 'DELETE',
      url: '/v1/resource/generic',
      status: 400,
      expect: description(/caution: the query can not be empty/),
    },
    {
      name: 'deletes by filter and counts',
      method: 'DELETE',
      url: '/v1/resource/generic',
      body: { in: { id: [ID, 'nowhere'] } },
      status: 200,
      expect: json({ deleted: 1 }),
    },
    {
      name: 'has deleted it',
      method: 'GET',
      url: LAST,
      status: 404,
      expect: description(`Resource ${ID} does not exist`),
    },
    {
      name: 'answers a list of lists with an empty detail',
      method: 'POST',
      url: '/v1/resource/generic/1.2.3.4/metric/cpu.util/measures',
      body: [['2015-01-01', 1]],
      status: 400,
      expect: (response) => {
        assert.deepEqual((response.json() as { description: unknown }).description, {
          cause: 'Invalid input',
          reason: 'unexpected measures format',
          detail: [],
        });
      },
    },
  ],
  { backend: 'postgresql' },
);
