/**
 * A deterministic catalogue of realistic Kalshi markets: the same seed and start time give the same
 * events and markets, byte for byte. It covers the structures the engine has to get right:
 * threshold ladders (strike_type greater / greater_or_equal with floor_strike), mutually exclusive
 * events (game winners, championship brackets, range brackets with strike_type between), player
 * props, economics, weather, a scalar market and markets that are not open yet or paused.
 */
import { prng } from '../../prng.ts';
import type { KalshiEventJson, KalshiMarketJson } from '../wire.ts';
import {
  cryptoEvents,
  DAY,
  type Draft,
  type DraftContext,
  type EventDraft,
  HOUR,
  sportsEvents,
  stamp,
} from './drafts.ts';

export interface Catalogue {
  events: KalshiEventJson[];
  markets: KalshiMarketJson[];
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const dollars = (p: number): string => (Math.round(Math.min(0.99, Math.max(0.01, p)) * 100) / 100).toFixed(4);
const fp = (n: number): string => n.toFixed(2);

export function generateCatalogue(seed: number, startMs: number): Catalogue {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const topOfHour = Math.floor(startMs / HOUR) * HOUR;
  const ctx: DraftContext = { rand, startMs, topOfHour, openMs: topOfHour - DAY };
  const drafts = [...cryptoEvents(ctx), ...sportsEvents(ctx), ...otherEvents(ctx)];
  return build(drafts, startMs, pick);
}

/** Economics, weather, politics, a scalar market, and markets not open yet or paused. */
function otherEvents(ctx: DraftContext): EventDraft[] {
  const { startMs, topOfHour, openMs } = ctx;
  const drafts: EventDraft[] = [];
  // Economics: the Fed decision (mutually exclusive) and a CPI threshold ladder per release.
  for (const months of [1, 2, 3]) {
    const closeMs = topOfHour + months * 30 * DAY;
    drafts.push({
      series: 'KXFEDDECISION',
      eventTicker: `KXFEDDECISION-${stamp(closeMs).slice(0, 5)}`,
      title: 'Fed decision?',
      subTitle: 'Rate decision',
      category: 'Economics',
      mutuallyExclusive: true,
      openMs,
      closeMs,
      settlementTimerSeconds: 3600,
      rules: 'Resolves Yes for the target-rate change the FOMC announces.',
      markets: [
        { suffix: 'C25', title: 'Cut 25bps?', yesSubTitle: 'Cut 25bps', probability: 0.3 },
        { suffix: 'C26', title: 'Cut >25bps?', yesSubTitle: 'Cut >25bps', probability: 0.05 },
        { suffix: 'H0', title: 'Hold?', yesSubTitle: 'Hold', probability: 0.6 },
        { suffix: 'H25', title: 'Hike 25bps?', yesSubTitle: 'Hike 25bps', probability: 0.05 },
      ],
    });
  }
  for (const months of [1, 2]) {
    const closeMs = topOfHour + months * 30 * DAY - 5 * DAY;
    drafts.push({
      series: 'KXCPIYOY',
      eventTicker: `KXCPIYOY-${stamp(closeMs).slice(0, 5)}`,
      title: 'CPI year over year?',
      subTitle: 'CPI YoY',
      category: 'Economics',
      mutuallyExclusive: false,
      openMs,
      closeMs,
      settlementTimerSeconds: 1800,
      rules: 'Resolves Yes if CPI YoY is above the strike.',
      markets: [2.5, 2.7, 2.9, 3.1, 3.3].map((t, i) => ({
        suffix: `T${t}`,
        title: `CPI above ${t}%?`,
        yesSubTitle: `Above ${t}%`,
        probability: 0.9 - i * 0.2,
        strike: { type: 'greater', floor: t },
      })),
    });
  }

  // Weather: daily high temperature brackets, mutually exclusive.
  for (const city of ['NY', 'CHI', 'MIA']) {
    for (const days of [1, 2, 3]) {
      const closeMs = Math.floor((startMs + days * DAY) / DAY) * DAY + 4 * HOUR;
      const base = city === 'MIA' ? 76 : city === 'NY' ? 40 : 30;
      const markets: Draft[] = [
        {
          suffix: `T${base}`,
          title: `High below ${base}°?`,
          yesSubTitle: `${base - 1}° or below`,
          probability: 0.1,
          strike: { type: 'less', cap: base },
        },
      ];
      for (let i = 0; i < 4; i++) {
        const floor = base + 2 * i;
        markets.push({
          suffix: `B${floor + 0.5}`,
          title: `High ${floor}-${floor + 1}°?`,
          yesSubTitle: `${floor}° to ${floor + 1}°`,
          probability: 0.2,
          strike: { type: 'between', floor, cap: floor + 1 },
        });
      }
      markets.push({
        suffix: `T${base + 7}`,
        title: `High above ${base + 7}°?`,
        yesSubTitle: `${base + 8}° or above`,
        probability: 0.1,
        strike: { type: 'greater', floor: base + 7 },
      });
      drafts.push({
        series: `KXHIGH${city}`,
        eventTicker: `KXHIGH${city}-${stamp(closeMs - DAY)}`,
        title: `Highest temperature in ${city}?`,
        subTitle: 'Daily high',
        category: 'Climate and Weather',
        mutuallyExclusive: true,
        openMs,
        closeMs,
        settlementTimerSeconds: 3600,
        rules: 'Resolves Yes for the bracket containing the NWS daily high.',
        markets,
      });
    }
  }

  // Politics (long-dated, mutually exclusive), a scalar market, and markets not open yet or paused.
  drafts.push({
    series: 'KXSENATE',
    eventTicker: 'KXSENATE-26',
    title: 'Which party controls the Senate?',
    subTitle: '2026 Senate',
    category: 'Politics',
    mutuallyExclusive: true,
    openMs,
    closeMs: topOfHour + 300 * DAY,
    settlementTimerSeconds: 3600,
    rules: 'Resolves Yes for the party holding the majority.',
    markets: [
      { suffix: 'R', title: 'Republicans control the Senate?', yesSubTitle: 'Republican', probability: 0.6 },
      { suffix: 'D', title: 'Democrats control the Senate?', yesSubTitle: 'Democratic', probability: 0.4 },
    ],
  });
  drafts.push({
    series: 'KXGDP',
    eventTicker: `KXGDP-${stamp(topOfHour + 60 * DAY).slice(0, 5)}`,
    title: 'GDP growth?',
    subTitle: 'GDP QoQ',
    category: 'Economics',
    mutuallyExclusive: false,
    openMs,
    closeMs: topOfHour + 60 * DAY,
    settlementTimerSeconds: 3600,
    rules: 'Pays out linearly in the reported growth rate.',
    markets: [
      {
        suffix: 'SCALAR',
        title: 'GDP growth (scalar)',
        yesSubTitle: 'GDP growth',
        probability: 0.5,
        marketType: 'scalar',
        strike: { type: 'functional' },
      },
    ],
  });
  drafts.push({
    series: 'KXGAS',
    eventTicker: `KXGAS-${stamp(topOfHour + 9 * DAY)}`,
    title: 'US gas price?',
    subTitle: 'AAA average',
    category: 'Economics',
    mutuallyExclusive: false,
    openMs: topOfHour + 2 * DAY,
    closeMs: topOfHour + 9 * DAY,
    settlementTimerSeconds: 3600,
    rules: 'Resolves Yes if the AAA national average is above the strike.',
    markets: [
      {
        suffix: 'T3.00',
        title: 'Gas above $3.00?',
        yesSubTitle: 'Above $3.00',
        probability: 0.6,
        strike: { type: 'greater', floor: 3 },
        status: 'initialized',
      },
      {
        suffix: 'T3.25',
        title: 'Gas above $3.25?',
        yesSubTitle: 'Above $3.25',
        probability: 0.3,
        strike: { type: 'greater', floor: 3.25 },
        status: 'initialized',
      },
    ],
  });
  drafts.push({
    series: 'KXTSAW',
    eventTicker: `KXTSAW-${stamp(topOfHour + 5 * DAY)}`,
    title: 'TSA check-ins?',
    subTitle: 'Weekly TSA',
    category: 'Transportation',
    mutuallyExclusive: false,
    openMs,
    closeMs: topOfHour + 5 * DAY,
    settlementTimerSeconds: 3600,
    rules: 'Resolves Yes if TSA check-ins exceed the strike.',
    markets: [
      {
        suffix: 'T2.5',
        title: 'More than 2.5M check-ins?',
        yesSubTitle: 'Above 2.5M',
        probability: 0.5,
        strike: { type: 'greater', floor: 2.5 },
        status: 'inactive',
      },
    ],
  });
  return drafts;
}

function build(drafts: EventDraft[], startMs: number, pick: <T>(items: readonly T[]) => T): Catalogue {
  const events: KalshiEventJson[] = [];
  const markets: KalshiMarketJson[] = [];
  for (const e of drafts) {
    events.push({
      event_ticker: e.eventTicker,
      series_ticker: e.series,
      sub_title: e.subTitle,
      title: e.title,
      collateral_return_type: e.mutuallyExclusive ? 'MECNET' : 'DIRECNET',
      mutually_exclusive: e.mutuallyExclusive,
      category: e.category,
      strike_date: new Date(e.closeMs).toISOString(),
      strike_period: null,
      available_on_brokers: true,
    });
    for (const d of e.markets) {
      const spread = pick([0.01, 0.02, 0.03]);
      const volume = Math.floor(d.probability * 40_000) + 100;
      const status = d.status ?? (startMs < e.openMs ? 'initialized' : 'active');
      const market: KalshiMarketJson = {
        ticker: `${e.eventTicker}-${d.suffix}`,
        event_ticker: e.eventTicker,
        market_type: d.marketType ?? 'binary',
        title: d.title,
        subtitle: '',
        yes_sub_title: d.yesSubTitle,
        no_sub_title: d.noSubTitle ?? `Not ${d.yesSubTitle}`,
        category: e.category,
        created_time: iso(e.openMs - 3_600_000),
        updated_time: iso(startMs),
        open_time: iso(e.openMs),
        close_time: iso(e.closeMs),
        expected_expiration_time: iso(e.closeMs + 600_000),
        expiration_time: iso(e.closeMs + 7 * 86_400_000),
        latest_expiration_time: iso(e.closeMs + 7 * 86_400_000),
        settlement_timer_seconds: e.settlementTimerSeconds,
        status,
        yes_bid_dollars: dollars(d.probability - spread / 2),
        yes_bid_size_fp: fp(100 + (volume % 900)),
        yes_ask_dollars: dollars(d.probability + spread / 2),
        yes_ask_size_fp: fp(100 + (volume % 700)),
        no_bid_dollars: dollars(1 - d.probability - spread / 2),
        no_ask_dollars: dollars(1 - d.probability + spread / 2),
        last_price_dollars: dollars(d.probability),
        previous_yes_bid_dollars: dollars(d.probability - spread),
        previous_yes_ask_dollars: dollars(d.probability + spread),
        previous_price_dollars: dollars(d.probability),
        volume_fp: fp(volume),
        volume_24h_fp: fp(Math.floor(volume / 7)),
        open_interest_fp: fp(Math.floor(volume / 3)),
        notional_value_dollars: '1.0000',
        result: '',
        can_close_early: e.category === 'Sports',
        expiration_value: '',
        rules_primary: e.rules,
        rules_secondary: '',
        price_level_structure: 'linear_cent',
        price_ranges: [{ start: '0.0000', end: '1.0000', step: '0.0100' }],
        fractional_trading_enabled: false,
        settlement_bounds_type: 'default',
        settlement_value_dollars: null,
        settlement_ts: null,
      };
      if (d.strike) {
        market.strike_type = d.strike.type;
        if (d.strike.floor !== undefined) market.floor_strike = d.strike.floor;
        if (d.strike.cap !== undefined) market.cap_strike = d.strike.cap;
      }
      markets.push(market);
    }
  }
  return { events, markets };
}
