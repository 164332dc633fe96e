/**
 * The building blocks of the simulator's catalogue: event and market drafts, Kalshi's ticker date
 * stamps, and the crypto and sports events (threshold ladders, range brackets, game winners, player
 * prop ladders, championship brackets). catalogue.ts turns drafts into Kalshi JSON.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Kalshi's date stamp in tickers: 26JAN06, or 26JAN0617 with the hour. */
export function stamp(ms: number, withHour = false): string {
  const d = new Date(ms);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const hh = withHour ? String(d.getUTCHours()).padStart(2, '0') : '';
  return `${yy}${MONTHS[d.getUTCMonth()]}${dd}${hh}`;
}

export interface Draft {
  suffix: string;
  title: string;
  yesSubTitle: string;
  noSubTitle?: string;
  probability: number;
  strike?: { type: string; floor?: number; cap?: number };
  marketType?: 'binary' | 'scalar';
  status?: 'initialized' | 'active' | 'inactive';
}

export interface EventDraft {
  series: string;
  eventTicker: string;
  title: string;
  subTitle: string;
  category: string;
  mutuallyExclusive: boolean;
  openMs: number;
  closeMs: number;
  settlementTimerSeconds: number;
  rules: string;
  markets: Draft[];
}

/** What every generator shares: the seeded randomness and the scenario's start. */
export interface DraftContext {
  rand: () => number;
  startMs: number;
  topOfHour: number;
  /** When the generated markets opened (a day before the start). */
  openMs: number;
}

export function cryptoEvents(ctx: DraftContext): EventDraft[] {
  const { rand, startMs, openMs } = ctx;
  const drafts: EventDraft[] = [];
  // 5pm ET is 22:00 UTC in winter; tickers carry the Eastern date and hour, as Kalshi's do.
  const at17 = (days: number) => Math.floor((startMs + days * DAY) / DAY) * DAY + 22 * HOUR;
  const etStamp = (ms: number) => stamp(ms - 5 * HOUR, true);

  // Threshold ladders: "above X at 5pm ET" on one underlying and date; yes on a higher strike implies yes below.
  const ladders = [
    { series: 'KXBTCD', name: 'Bitcoin', base: 100_000 + Math.round(rand() * 8) * 1_000, step: 2_500, n: 9 },
    { series: 'KXETHD', name: 'Ethereum', base: 3_500 + Math.round(rand() * 6) * 50, step: 100, n: 9 },
  ];
  for (const ladder of ladders) {
    for (const days of [1, 2, 3]) {
      const closeMs = at17(days);
      const eventTicker = `${ladder.series}-${etStamp(closeMs)}`;
      const low = ladder.base - Math.floor(ladder.n / 2) * ladder.step;
      drafts.push({
        series: ladder.series,
        eventTicker,
        title: `${ladder.name} price on ${new Date(closeMs).toUTCString().slice(5, 16)} at 5pm EST?`,
        subTitle: `${ladder.name} above thresholds`,
        category: 'Crypto',
        mutuallyExclusive: false,
        openMs,
        closeMs,
        settlementTimerSeconds: 300,
        rules: `If the ${ladder.name} price is above the strike at 5pm EST, the market resolves to Yes.`,
        markets: Array.from({ length: ladder.n }, (_, i) => {
          const strike = low + i * ladder.step;
          return {
            suffix: `T${strike}`,
            title: `${ladder.name} above $${strike.toLocaleString('en-US')}?`,
            yesSubTitle: `$${strike.toLocaleString('en-US')} or above`,
            probability: 0.95 - (0.9 * i) / (ladder.n - 1),
            strike: { type: 'greater', floor: strike },
          };
        }),
      });
    }
  }

  // Range brackets: exactly one bracket resolves yes (mutually exclusive, strike_type between + tails).
  for (const days of [1, 2, 3]) {
    const closeMs = at17(days);
    const width = 2_500;
    const low = 95_000;
    const n = 8;
    const markets: Draft[] = [
      {
        suffix: `T${low}`,
        title: `Bitcoin below $${low}?`,
        yesSubTitle: `Below $${low}`,
        probability: 0.05,
        strike: { type: 'less', cap: low },
      },
    ];
    for (let i = 0; i < n - 2; i++) {
      const floor = low + i * width;
      markets.push({
        suffix: `B${floor + width / 2}`,
        title: `Bitcoin between $${floor} and $${floor + width - 0.01}?`,
        yesSubTitle: `$${floor} to $${floor + width - 0.01}`,
        probability: 0.9 / (n - 2),
        strike: { type: 'between', floor, cap: floor + width - 0.01 },
      });
    }
    const top = low + (n - 2) * width;
    markets.push({
      suffix: `T${top - 0.01}`,
      title: `Bitcoin $${top} or above?`,
      yesSubTitle: `$${top} or above`,
      probability: 0.05,
      strike: { type: 'greater', floor: top - 0.01 },
    });
    drafts.push({
      series: 'KXBTC',
      eventTicker: `KXBTC-${etStamp(closeMs)}`,
      title: 'Bitcoin price range at 5pm EST?',
      subTitle: 'Price range',
      category: 'Crypto',
      mutuallyExclusive: true,
      openMs,
      closeMs,
      settlementTimerSeconds: 300,
      rules: 'Resolves Yes for the range containing the Bitcoin price at 5pm EST.',
      markets,
    });
  }

  return drafts;
}

export function sportsEvents(ctx: DraftContext): EventDraft[] {
  const { rand, topOfHour, openMs } = ctx;
  const drafts: EventDraft[] = [];
  // Games: winner events (two mutually exclusive markets) and per-player prop ladders.
  const leagues = [
    {
      series: 'KXNBAGAME',
      props: 'KXNBAPTS',
      teams: [
        'LAL',
        'BOS',
        'GSW',
        'MIA',
        'NYK',
        'DEN',
        'PHX',
        'MIL',
        'DAL',
        'CHI',
        'OKC',
        'MIN',
        'SAC',
        'CLE',
        'PHI',
        'ATL',
      ],
      games: 8,
      category: 'Sports',
    },
    {
      series: 'KXNFLGAME',
      props: null,
      teams: ['KC', 'BUF', 'PHI', 'SF', 'DAL', 'BAL', 'DET', 'GB', 'MIA', 'CIN', 'LAR', 'PIT'],
      games: 6,
      category: 'Sports',
    },
    {
      series: 'KXNHLGAME',
      props: null,
      teams: ['TOR', 'BOS', 'NYR', 'EDM', 'COL', 'VGK', 'FLA', 'DAL', 'CAR', 'WPG', 'LAK', 'NJD'],
      games: 6,
      category: 'Sports',
    },
  ];
  const players = [
    'LJAMES',
    'JTATUM',
    'SCURRY',
    'BADEBAYO',
    'JBRUNSON',
    'NJOKIC',
    'KDURANT',
    'GANTETOKOUNMPO',
    'LDONCIC',
    'ZLAVINE',
    'SGILGEOUS',
    'AEDWARDS',
    'DFOX',
    'DMITCHELL',
    'JEMBIID',
    'TYOUNG',
  ];
  for (const league of leagues) {
    for (let g = 0; g < league.games; g++) {
      const home = league.teams[2 * g] as string;
      const away = league.teams[2 * g + 1] as string;
      const tipMs = topOfHour + (6 + g * 5) * HOUR;
      const closeMs = tipMs + 3 * HOUR;
      const code = `${stamp(tipMs)}${away}${home}`;
      const pHome = 0.3 + rand() * 0.4;
      drafts.push({
        series: league.series,
        eventTicker: `${league.series}-${code}`,
        title: `${away} at ${home} winner?`,
        subTitle: `${away} vs ${home}`,
        category: league.category,
        mutuallyExclusive: true,
        openMs,
        closeMs,
        settlementTimerSeconds: 600,
        rules: 'Resolves Yes for the team that wins the game, overtime included.',
        markets: [
          { suffix: home, title: `Will ${home} win?`, yesSubTitle: home, probability: pHome },
          { suffix: away, title: `Will ${away} win?`, yesSubTitle: away, probability: 1 - pHome },
        ],
      });
      if (league.props) {
        for (const player of [players[2 * g], players[2 * g + 1]] as string[]) {
          const mean = 18 + Math.floor(rand() * 12);
          drafts.push({
            series: league.props,
            eventTicker: `${league.props}-${code}-${player}`,
            title: `${player} points ${away} at ${home}`,
            subTitle: `${player} points`,
            category: 'Sports',
            mutuallyExclusive: false,
            openMs,
            closeMs,
            settlementTimerSeconds: 600,
            rules: `Resolves Yes if ${player} scores at least the stated points.`,
            markets: [15, 20, 25, 30].map((pts) => ({
              suffix: String(pts),
              title: `${player}: ${pts}+ points?`,
              yesSubTitle: `${pts}+`,
              probability: 1 / (1 + Math.exp((pts - mean) / 4)),
              strike: { type: 'greater_or_equal', floor: pts },
            })),
          });
        }
      }
    }
  }

  // Championship brackets: one winner among many (mutually exclusive), long-dated.
  for (const [series, teams] of [
    ['KXNBA', leagues[0]!.teams.slice(0, 8)],
    ['KXSB', leagues[1]!.teams.slice(0, 8)],
  ] as const) {
    const closeMs = topOfHour + 45 * DAY;
    const weights = teams.map(() => 0.5 + rand());
    const total = weights.reduce((a, b) => a + b, 0);
    drafts.push({
      series,
      eventTicker: `${series}-${stamp(closeMs).slice(0, 2)}`,
      title: `${series === 'KXNBA' ? 'NBA' : 'Super Bowl'} champion?`,
      subTitle: 'Champion',
      category: 'Sports',
      mutuallyExclusive: true,
      openMs,
      closeMs,
      settlementTimerSeconds: 3600,
      rules: 'Resolves Yes for the champion.',
      markets: teams.map((team, i) => ({
        suffix: team,
        title: `Will ${team} win the title?`,
        yesSubTitle: team,
        probability: (weights[i] as number) / total,
      })),
    });
  }
  return drafts;
}
