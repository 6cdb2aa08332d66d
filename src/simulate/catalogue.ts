// The shop's goods: titles, prices 0.5–999 yuan, automatic or manual delivery, stock, popularity.
import type { Rng } from './prng';

export interface Goods {
  id: number;
  title: string;
  priceFen: number;
  /** dujiaoka type: 1 automatic delivery (card keys), 2 manual handling. */
  type: 1 | 2;
  /** Relative popularity. */
  weight: number;
  /** Card keys in stock at the start (automatic goods); Infinity when effectively unlimited. */
  stock: number;
  keyStyle: 'dash4' | 'account' | 'cdk' | 'link';
}

const TITLES: readonly string[] = [
  'Netflix 高级会员 1个月', 'Spotify Premium 个人 1个月', 'YouTube Premium 家庭组 1年', 'ChatGPT Plus 月卡 代充',
  'Steam 钱包充值卡 50元', 'Steam 钱包充值卡 100元', 'Apple ID 美区 已验证', 'App Store 充值卡 100港币',
  '百度网盘超级会员 月卡', '腾讯视频VIP 月卡', '爱奇艺黄金会员 季卡', '优酷VIP 年卡', 'QQ音乐绿钻 月卡',
  '网易云音乐黑胶VIP 月卡', '哔哩哔哩大会员 年卡', 'Office 365 家庭版 1年', 'Windows 11 专业版 激活密钥',
  'Adobe Creative Cloud 全家桶 1个月', 'Xbox Game Pass Ultimate 1个月', 'PlayStation Plus 港服 12个月',
  'Telegram Premium 3个月', 'Google Play 礼品卡 $10', 'Canva 可画 高级版 1年', 'Grammarly Premium 1个月',
  '迅雷超级会员 月卡', '夸克网盘 SVIP 月卡', '喜马拉雅VIP 月卡', 'WPS 超级会员 年卡', 'Discord Nitro 1个月',
  'Duolingo Super 1年', '原神 创世结晶 6480', '游戏加速器 月卡', '邮箱小号 批发 10个', '云服务器 体验码',
];

/** A price between 0.50 and 999.00 yuan, rounded the way shop owners price things. */
export function shopPriceFen(rng: Rng): number {
  const yuan = Math.exp(rng.range(Math.log(0.5), Math.log(999)));
  let fen: number;
  if (yuan < 10) fen = Math.round(yuan * 10) * 10;
  else if (yuan < 100) fen = Math.round(yuan) * 100 - (rng.chance(0.4) ? 10 : 0);
  else fen = Math.round(yuan / 5) * 500 - (rng.chance(0.3) ? 100 : 0);
  return Math.min(99900, Math.max(50, fen));
}

/** Builds the catalogue for a run. `expectedOrders` sizes the stock of the one item that sells out. */
export function buildCatalogue(rng: Rng, expectedOrders: number): Goods[] {
  const count = rng.int(18, 28);
  const titles = rng.sample(TITLES, count);
  const goods: Goods[] = titles.map((title, i) => {
    const type: 1 | 2 = rng.chance(0.15) ? 2 : 1;
    return {
      id: i + 1,
      title,
      priceFen: shopPriceFen(rng),
      type,
      weight: 1 / Math.pow(i + 1, 0.8) * rng.range(0.6, 1.4),
      stock: Infinity,
      keyStyle: rng.pick(['dash4', 'account', 'cdk', 'link'] as const),
    };
  });
  // one automatic item runs short of card keys part-way, so some paid orders end in 异常 (status 6)
  const auto = goods.filter((g) => g.type === 1);
  if (auto.length > 0) {
    const g = auto[Math.min(auto.length - 1, 2)]!;
    const total = goods.reduce((s, x) => s + x.weight, 0);
    g.stock = Math.max(1, Math.floor(((expectedOrders * g.weight) / total) * 0.45 * 0.85));
  }
  return goods;
}

/** One card key (卡密) in the goods' style. */
export function cardKey(rng: Rng, g: Goods): string {
  switch (g.keyStyle) {
    case 'dash4':
      return [rng.chars(4), rng.chars(4), rng.chars(4), rng.chars(4)].join('-');
    case 'account':
      return `${rng.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}@outlook.com----${rng.chars(12, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789')}`;
    case 'cdk':
      return `CDK${rng.chars(13)}`;
    case 'link':
      return `https://redeem.example/r/${rng.chars(20, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  }
}
