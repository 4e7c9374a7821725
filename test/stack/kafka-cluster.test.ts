import assert from 'node:assert/strict'
import { test } from 'node:test'
import { kafkaSection } from '../../src/platform/base-config.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { replicationProperties } from '../../src/stack/kafka-broker.ts'
import { bootstrapOf, clusterLayout, quorumLeader, quorumVoters } from '../../src/stack/kafka-cluster.ts'

const base = { port: 9092, controllerPort: 9097, dataDir: '/d/kafka', logDir: '/d/logs', runDir: '/d/run' }

test('a cluster of one should keep the single broker’s ports, directory and file names', () => {
  const [node, ...rest] = clusterLayout({ ...base, nodes: 1 })
  assert.deepEqual(rest, [])
  assert.deepEqual(node, {
    id: 1,
    port: 9092,
    controllerPort: 9097,
    dataDir: '/d/kafka',
    logFile: '/d/logs/kafka.log',
    pidFile: '/d/run/kafka.pid',
  })
})

test('three nodes should listen 100 ports apart, each with its own storage, log and pid file', () => {
  const layout = clusterLayout({ ...base, nodes: 3 })
  assert.deepEqual(
    layout.map((n) => [n.id, n.port, n.controllerPort, n.dataDir, n.logFile, n.pidFile]),
    [
      [1, 9092, 9097, '/d/kafka/node-1', '/d/logs/kafka-1.log', '/d/run/kafka-1.pid'],
      [2, 9192, 9197, '/d/kafka/node-2', '/d/logs/kafka-2.log', '/d/run/kafka-2.pid'],
      [3, 9292, 9297, '/d/kafka/node-3', '/d/logs/kafka-3.log', '/d/run/kafka-3.pid'],
    ],
  )
  assert.equal(quorumVoters(layout), '1@127.0.0.1:9097,2@127.0.0.1:9197,3@127.0.0.1:9297')
  assert.equal(bootstrapOf(layout), '127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292')
})

test('given ports should replace the +100 layout, and a count that does not match should be refused', () => {
  const ports = [
    { port: 40001, controllerPort: 40002 },
    { port: 40003, controllerPort: 40004 },
    { port: 40005, controllerPort: 40006 },
  ]
  assert.deepEqual(
    clusterLayout({ ...base, nodes: 3, ports }).map((n) => [n.port, n.controllerPort]),
    ports.map((p) => [p.port, p.controllerPort]),
  )
  assert.throws(() => clusterLayout({ ...base, nodes: 3, ports: ports.slice(0, 2) }), /2 port pairs/)
})

test('three nodes should keep three replicas of every topic, need two for a write, and never elect an unclean leader', () => {
  assert.deepEqual(replicationProperties(3), {
    'default.replication.factor': '3',
    'min.insync.replicas': '2',
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': '3',
    'transaction.state.log.replication.factor': '3',
    'transaction.state.log.min.isr': '2',
    'share.coordinator.state.topic.replication.factor': '3',
    'share.coordinator.state.topic.min.isr': '2',
  })
  const single = replicationProperties(1)
  assert.equal(single['offsets.topic.replication.factor'], '1')
  assert.equal(single['min.insync.replicas'], '1')
})

test('KAFKA_LOCAL_BROKERS=3 should name every node as bootstrap and create topics with three replicas', () => {
  const three = loadConfig({ KAFKA_LOCAL_BROKERS: '3', KAFKA_PORT: '19092' }, kafkaSection)
  assert.deepEqual(three.bootstrapServers, ['127.0.0.1:19092', '127.0.0.1:19192', '127.0.0.1:19292'])
  assert.equal(three.replicationFactor, 3)
  assert.equal(three.local.brokers, 3)
  const one = loadConfig({}, kafkaSection)
  assert.deepEqual(one.bootstrapServers, ['127.0.0.1:9092'])
  assert.equal(one.replicationFactor, 1)
  // an explicit factor wins (a shared cluster elsewhere)
  assert.equal(
    loadConfig({ KAFKA_LOCAL_BROKERS: '3', KAFKA_REPLICATION_FACTOR: '2' }, kafkaSection).replicationFactor,
    2,
  )
  assert.throws(() => loadConfig({ KAFKA_LOCAL_BROKERS: '2' }, kafkaSection), /KAFKA_LOCAL_BROKERS/)
})

test('the quorum leader should be read from kafka-metadata-quorum’s status output', () => {
  const output =
    'ClusterId:              abc\nLeaderId:               2\nLeaderEpoch:            7\nHighWatermark:          120\n'
  assert.equal(quorumLeader(output), 2)
  assert.equal(quorumLeader('Error: timed out'), undefined)
})
