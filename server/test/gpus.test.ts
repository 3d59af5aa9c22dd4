import { GpuProbe, parseNvidiaSmi } from '../src/runtime/gpus';

// This machine has no GPU: the nvidia-smi output below is the format the probe reads
// (--query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits).
const TWO_GPUS = [
  '0, GPU-5a1f2c3d-0000-1111-2222-333344445555, NVIDIA A100-SXM4-40GB, 40960',
  '1, GPU-9b8e7d6c-6666-7777-8888-999900001111, NVIDIA A100-SXM4-40GB, 40960',
  ''
].join('\n');

test('nvidia-smi lines become GPUs identified by UUID, with their memory', () => {
  expect(parseNvidiaSmi(TWO_GPUS)).toEqual([
    { id: 'GPU-5a1f2c3d-0000-1111-2222-333344445555', name: 'NVIDIA A100-SXM4-40GB (#0)', memoryBytes: 40960 * 1024 ** 2 },
    { id: 'GPU-9b8e7d6c-6666-7777-8888-999900001111', name: 'NVIDIA A100-SXM4-40GB (#1)', memoryBytes: 40960 * 1024 ** 2 }
  ]);
  expect(parseNvidiaSmi('No devices were found\n')).toEqual([]);
});

test('devices are listed only when an NVIDIA runtime is registered, and cached', async () => {
  const calls: string[] = [];
  const probe = new GpuProbe(async file => {
    calls.push(file);
    return TWO_GPUS;
  }, 60_000);
  expect(await probe.list({ runc: {} })).toEqual([]);
  expect(calls).toEqual([]);
  expect((await probe.list({ runc: {}, nvidia: {} }, 1000)).map(g => g.id)).toHaveLength(2);
  expect((await probe.list({ runc: {}, nvidia: {} }, 2000)).map(g => g.id)).toHaveLength(2);
  expect(calls).toEqual(['nvidia-smi']);
  await probe.list({ nvidia: {} }, 1000 + 60_001);
  expect(calls).toHaveLength(2);
});

test('an NVIDIA runtime without a working nvidia-smi offers no GPUs', async () => {
  const probe = new GpuProbe(async () => {
    throw new Error('spawn nvidia-smi ENOENT');
  });
  expect(await probe.list({ nvidia: {} })).toEqual([]);
});
