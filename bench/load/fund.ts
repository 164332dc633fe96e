/**
 * `--fund`: the dev faucet (POST /vault/faucet, embedded cluster only) for every principal before
 * the run, so accepts find the user's stake and confirms the MM's collateral. A gateway without a
 * faucet answers 403: the operator funds vaults the real way and drops --fund.
 */
import type { Credentials } from './credentials.ts';
import { SetupError } from './credentials.ts';
import { call } from './http.ts';

/** The faucet's cap per call on the embedded cluster (chain/config.ts faucetMaxMicro). */
const FAUCET_MAX_USDC = 1_000_000;

export interface FundPlan {
  userUsdc: number;
  mmUsdc: number;
}

/**
 * Enough for every RFQ a user may have accepted at once twice over (stakes stay locked until the
 * markets settle); MMs get the cap: collateral is the payout less the stake, up to ~200× the bet.
 */
export function fundPlan(o: { betUsdc: number; rfqsPerUser: number; lifecycle: boolean }): FundPlan {
  const userUsdc = Math.min(FAUCET_MAX_USDC, Math.max(1_000, Math.ceil(o.betUsdc * o.rfqsPerUser * 2)));
  return { userUsdc, mmUsdc: o.lifecycle ? FAUCET_MAX_USDC : 1_000 };
}

export async function fundAll(
  baseUrl: string,
  creds: Credentials,
  plan: FundPlan,
  timeoutMs: number,
): Promise<void> {
  const jobs = [
    ...creds.users.map((u) => ({ who: `user ${u.id}`, apiKey: u.apiKey, amount: plan.userUsdc })),
    ...creds.mms.map((m) => ({ who: `MM ${m.id}`, apiKey: m.apiKey, amount: plan.mmUsdc })),
  ];
  for (let i = 0; i < jobs.length; i += 8) {
    const results = await Promise.all(
      jobs.slice(i, i + 8).map(async (job) => ({
        job,
        res: await call(baseUrl, 'POST', '/vault/faucet', {
          apiKey: job.apiKey,
          body: { amount: job.amount },
          timeoutMs: Math.max(timeoutMs, 30_000),
        }),
      })),
    );
    for (const { job, res } of results) {
      if (res.ok) continue;
      if (res.code === 'FORBIDDEN' || res.status === 404)
        throw new SetupError(
          `--fund: ${baseUrl} has no dev faucet (${res.code}; it exists on the embedded litesvm cluster only): fund the vaults another way and drop --fund`,
        );
      throw new SetupError(`--fund: the faucet refused ${job.who}: ${res.code} ${res.message}`);
    }
  }
}
