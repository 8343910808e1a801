import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';

const DEV = { NODE_ENV: 'development' } as const;

describe('operations configuration', () => {
  it('leaves tracing and the ops port off unless set', () => {
    const config = loadConfig(DEV);
    expect(config.otlpTracesUrl).toBeUndefined();
    expect(config.opsPort).toBeUndefined();
    expect(config.serviceName).toBe('chat-backend');
    expect(config.traceSampleRatio).toBe(1);
  });

  it('sends traces to the OTLP endpoint, or to the traces endpoint as given', () => {
    expect(loadConfig({ ...DEV, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlpTracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      loadConfig({
        ...DEV,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
      }).otlpTracesUrl,
    ).toBe('https://traces.example.com/ingest');
    expect(
      loadConfig({ ...DEV, OTEL_SERVICE_NAME: 'chat-api', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
    ).toMatchObject({ serviceName: 'chat-api', traceSampleRatio: 0.25 });
  });

  it('fails naming the variable at fault', () => {
    expect(() => loadConfig({ ...DEV, OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => loadConfig({ ...DEV, OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadConfig({ ...DEV, OPS_PORT: 'nine' })).toThrow(/OPS_PORT/);
    expect(() => loadConfig({ ...DEV, OPS_PORT: '99999' })).toThrow(/OPS_PORT/);
    expect(loadConfig({ ...DEV, OPS_PORT: '9464' }).opsPort).toBe(9464);
  });
});
