import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProfileStore, type Profile } from '../../src/config/profile-store.js'
import { privateProfile, sampleProfile } from '../helpers/profile.js'
import { createTempDir, RUN_JS, type CliResult } from '../helpers/cli.js'

interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly body: string
}

/** Stands in for AWS on 127.0.0.1: Lambda's Invoke API and the deployment's operator console. */
async function startFakeAws(): Promise<{ url: string; seen: SeenRequest[]; server: Server }> {
  const seen: SeenRequest[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body })
      const reply = (status: number, value?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(value === undefined ? '' : JSON.stringify(value))
      }
      if (request.url?.endsWith('/invocations')) return reply(202)
      if (request.url === '/state') return reply(200, { scopes: [] })
      if (request.url === '/kill') {
        const { scope, reason, operator } = JSON.parse(body) as Record<string, string>
        const command = {
          cmd_id: 'c-1',
          ts: 1,
          scope,
          action: 'KILL',
          reason,
          triggered_by: 'operator',
          operator,
          corr_id: 'k-1',
        }
        return reply(202, { cmd_id: 'c-1', corr_id: 'k-1', command })
      }
      reply(404, { message: 'not here' })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }
}

const profile = (apiUrl: string, publicBrokers?: string): Profile =>
  publicBrokers === undefined
    ? privateProfile({ apiUrl, bootstrapBrokers: 'b-1.riskctl.internal:9098' })
    : sampleProfile({ apiUrl, bootstrapBrokers: 'b-1.riskctl.internal:9098', publicBootstrapBrokers: publicBrokers })

describe(
  '--profile and generate --target aws (real CLI, AWS faked on 127.0.0.1)',
  { timeout: 90_000 },
  () => {
    let dir: { path: string; remove: () => Promise<void> }
    let aws: Awaited<ReturnType<typeof startFakeAws>>
    let configDir: string

    beforeEach(async () => {
      dir = await createTempDir()
      aws = await startFakeAws()
      configDir = path.join(dir.path, 'config', 'riskctl')
    })
    afterEach(async () => {
      aws.server.close()
      await dir.remove()
    })

    /**
     * Only what is given here reaches the CLI: none of the developer's AWS credentials or riskctl
     * settings, and every AWS endpoint is the fake one.
     */
    async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
      const result = await execa('node', [RUN_JS, ...args], {
        extendEnv: false,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir.path,
          XDG_CONFIG_HOME: path.join(dir.path, 'config'),
          XDG_DATA_HOME: path.join(dir.path, 'data'),
          NO_COLOR: '1',
          AWS_CONFIG_FILE: path.join(dir.path, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(dir.path, 'no-aws-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL: aws.url,
          ...env,
        },
        reject: false,
        timeout: 30_000,
        stdin: 'ignore',
      })
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) }
    }
    const credentials = {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
    }

    it('names the missing profile file and how to create it, exit 2, from the flag or RISKCTL_PROFILE', async () => {
      const missing = path.join(configDir, 'profiles', 'class.json')
      const tail = await cli(['tail', 'orders.v1', '--profile', 'class'])
      expect(tail.exitCode).toBe(2)
      expect(tail.stderr).toContain(`There is no riskctl profile "class": ${missing} does not exist.`)
      expect(tail.stderr).toContain('riskctl deploy --profile class')

      const state = await cli(['state', '--json'], { RISKCTL_PROFILE: 'class' })
      expect(state.exitCode).toBe(2)
      expect(JSON.parse(state.stdout)).toMatchObject({ error: { code: 'RISKCTL_PROFILE_NOT_FOUND' } })
    })

    it('refuses a profile where processors would run here, and a log a deployment cannot offer', async () => {
      new ProfileStore(configDir).write(profile(aws.url))
      const up = await cli(['up', '--profile', 'class', '--json'])
      expect(up.exitCode).toBe(2)
      expect(JSON.parse(up.stdout)).toMatchObject({ error: { code: 'RISKCTL_PROFILE_UNSUPPORTED' } })

      // Deployed without --laptop-access: MSK has no public listener.
      const state = await cli(['state', '--profile', 'class'])
      expect(state.exitCode).toBe(5)
      expect(state.stderr).toContain('--laptop-access <your-ip>/32')
    })

    it('kill goes to the profile console with the bearer token, and says where the token is when it is missing', async () => {
      new ProfileStore(configDir).write(profile(aws.url))
      const untokened = await cli(['kill', 'ACCOUNT:12345', '--reason', 'runaway', '--profile', 'class'])
      expect(untokened.exitCode).toBe(4)
      expect(untokened.stderr).toContain(
        'aws secretsmanager get-secret-value --region eu-west-1 --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:OperatorToken-abc',
      )
      expect(aws.seen).toEqual([])

      const killed = await cli(
        [
          'kill',
          'ACCOUNT:12345',
          '--reason',
          'runaway',
          '--no-wait',
          '--profile',
          'class',
          '--json',
        ],
        { RISKCTL_OPERATOR_TOKEN: 'the-token' },
      )
      expect(killed.exitCode).toBe(0)
      expect(JSON.parse(killed.stdout)).toMatchObject({
        outcome: 'published',
        command: { scope: 'ACCOUNT:12345' },
      })
      expect(aws.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /state', 'POST /kill'])
      expect(aws.seen.every((r) => r.headers.authorization === 'Bearer the-token')).toBe(true)
      // No operator: the console records whoever the token authenticates.
      expect(JSON.parse(aws.seen[1]!.body)).toEqual({
        scope: 'ACCOUNT:12345',
        reason: 'runaway',
      })
    })

    it('generate --target aws invokes the profile function once, asynchronously, with the seed payload', async () => {
      new ProfileStore(configDir).write(profile(aws.url))
      // Given a shell set to another region: the function lives in the profile's.
      const result = await cli(
        [
          'generate',
          '--target',
          'aws',
          '--profile',
          'class',
          '--mode',
          'panic',
          '--account',
          '12345',
          '--duration',
          '60',
          '--json',
        ],
        { ...credentials, AWS_REGION: 'us-east-1' },
      )
      expect(result.exitCode).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({
        target: 'aws',
        functionName: 'Riskctl-GeneratorFunction-abc',
        region: 'eu-west-1',
        payload: { mode: 'panic', account_id: '12345', duration_seconds: 60, rate_per_second: 50 },
        statusCode: 202,
      })
      expect(aws.seen).toHaveLength(1)
      const invoke = aws.seen[0]!
      expect(`${invoke.method} ${invoke.url}`).toBe(
        'POST /2015-03-31/functions/Riskctl-GeneratorFunction-abc/invocations',
      )
      expect(invoke.headers['x-amz-invocation-type']).toBe('Event')
      expect(invoke.headers.authorization).toMatch(
        /Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
      )
      expect(JSON.parse(invoke.body)).toEqual({
        mode: 'panic',
        account_id: '12345',
        duration_seconds: 60,
        rate_per_second: 50,
      })

      const text = await cli(['generate', '--target', 'aws', '--profile', 'class'], credentials)
      expect(text.exitCode).toBe(0)
      expect(text.stdout).toContain(
        'Asked Riskctl-GeneratorFunction-abc (eu-west-1) for normal orders, 5/s for 600 s.',
      )
      expect(text.stdout).toContain('queued (HTTP 202)')
    })

    it('generate --target aws: clear failures for credentials, local-only flags and a missing profile', async () => {
      new ProfileStore(configDir).write(profile(aws.url))
      const noCredentials = await cli(['generate', '--target', 'aws', '--profile', 'class'])
      expect(noCredentials.exitCode).toBe(4)
      expect(noCredentials.stderr).toContain(
        'No usable AWS credentials to invoke Riskctl-GeneratorFunction-abc in eu-west-1',
      )
      expect(noCredentials.stderr).not.toMatch(/\n\s+at /)

      const symbol = await cli(
        ['generate', '--target', 'aws', '--profile', 'class', '--symbol', 'TSLA'],
        credentials,
      )
      expect(symbol.exitCode).toBe(2)
      expect(symbol.stderr).toContain('--symbol works only with --target local')

      const unnamed = await cli(['generate', '--target', 'aws'], credentials)
      expect(unnamed.exitCode).toBe(2)
      expect(unnamed.stderr).toContain('--profile NAME')
      expect(aws.seen).toEqual([])
    })
  },
)
