import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The compose file as written (anchors and merge keys resolved, variables left as they are). */
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: unknown[];
  container_name?: string;
  healthcheck?: { test?: string[] | string; disable?: boolean };
}
const compose = parse(readFileSync('docker/compose.yaml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);
const appServices = services.filter(([, service]) => service.command?.[0] === 'serve');

/** The compose command line, where one is installed (no engine is needed to check a file). */
function composeCli(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' });
    if (probe.status === 0) return command;
  }
  return undefined;
}
const cli = composeCli();

describe('the compose file', () => {
  it('runs the api, realtime and projections roles from the application image', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'projections', 'realtime']);
  });

  it('publishes host ports on the gateway only', () => {
    const published = services.filter(([, service]) => service.ports !== undefined).map(([name]) => name);
    expect(published).toEqual(['gateway']);
    expect(compose.services.gateway!.image).toMatch(/^haproxy:\d/);
  });

  it('lets api and realtime scale: no container name, no host port', () => {
    for (const name of ['api', 'realtime']) {
      expect(compose.services[name]!.container_name, name).toBeUndefined();
      expect(compose.services[name]!.ports, name).toBeUndefined();
    }
  });

  it('checks the health of every service', () => {
    for (const [name, service] of services) {
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
    expect(compose.services.api!.healthcheck!.test).toContain('http://127.0.0.1:3000/health/ready');
  });

  it('builds one image once and runs every role from it', () => {
    const images = new Set(appServices.map(([, service]) => service.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/chat-backend/);
    expect(services.filter(([, service]) => service.build !== undefined).map(([name]) => name)).toEqual([
      'api',
    ]);
  });

  it('routes the WebSocket path to realtime and the rest to api through the gateway', () => {
    const config = readFileSync('docker/haproxy.cfg', 'utf8');
    expect(config).toMatch(/use_backend realtime if \{ path \/v1\/realtime \}/);
    expect(config).toMatch(/default_backend api/);
    expect(config).toMatch(/server-template api-\s+\d+ api:3000/);
    expect(config).toMatch(/server-template realtime-\s+\d+ realtime:3001/);
  });

  it('builds the image on Node 22 or newer', () => {
    const bases = [...readFileSync('docker/Dockerfile', 'utf8').matchAll(/^FROM node:(\d+)/gm)];
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(Number(base[1])).toBeGreaterThanOrEqual(22);
  });

  it.skipIf(!cli)('is accepted by the compose command line (`config`, no engine needed)', () => {
    const [command, ...args] = cli!;
    const out = execFileSync(command!, [...args, '-f', 'docker/compose.yaml', 'config', '--services'], {
      env: { ...process.env, JWT_SECRET: 'only-for-checking-the-compose-file' },
      encoding: 'utf8',
    });
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'api',
      'eventstore',
      'gateway',
      'postgres',
      'projections',
      'realtime',
    ]);
  });
});
