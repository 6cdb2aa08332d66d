// The reasons of a record (the scorer's terms and the record builder's notes) in Chinese, for
// the worklist's reasons_zh column. The English reasons stay the record's contract; this is a
// reading of them. A reason this table does not know is kept as it is, in English.

type Rule = [RegExp, (m: RegExpExecArray) => string];

const STEP_ZH: Record<string, string> = { created: '已创建', paid: '已付款', delivered: '已发卡', failed: '已失败', expired: '已过期', refunded: '已退款' };

const RULES: Rule[] = [
  [/^prior for a claimed payment$/, () => '声称已付款的先验'],
  [/^prior for an order without payment evidence$/, () => '无付款证据订单的先验'],
  [/^gateway callback with a verified signature$/, () => '支付回调签名验证通过'],
  [/^gateway callback with complete parameters, signature not checked \(no key\)$/, () => '支付回调参数完整，未验签（无密钥）'],
  [/^gateway callback accepted by the shop, its parameters not logged \(nothing to verify\)$/, () => '商店已接受支付回调，但日志未记录其参数（无可验签内容）'],
  [/^(\d+) copies of the same callback \(retries\) agree$/, (m) => `同一回调的 ${m[1]} 份副本（重试）一致`],
  [/^the shop logged the payment as successful$/, () => '商店日志记录付款成功'],
  [/^a line's wording says the payment succeeded \(inferred, no rule for it\)$/, () => '某行措辞表明付款成功（推断，无对应规则）'],
  [/^the gateway's own bill lists this payment$/, () => '支付平台账单列有这笔付款'],
  [/^the shop answered a status poll with "paid"$/, () => '商店对状态查询答复“已支付”'],
  [/^card delivery logged$/, () => '日志记录已发卡'],
  [/^a line's wording says the card was delivered \(inferred, no rule for it\)$/, () => '某行措辞表明已发卡（推断，无对应规则）'],
  [/^refund logged$/, () => '日志记录已退款'],
  [/^(\d+) independent log sources agree$/, (m) => `${m[1]} 个独立日志来源一致`],
  [/^order creation logged$/, () => '日志记录订单创建'],
  [/^buyer's browser trail seen \(checkout pages\)$/, () => '见到买家浏览轨迹（结账页面）'],
  [/^amount unknown$/, () => '金额未知'],
  [/^absence of payment evidence may be a gap in the logs$/, () => '缺少付款证据可能只是日志缺失'],
  [/^sources disagree on the amount$/, () => '各来源金额不一致'],
  [/^a callback failed its signature check \(possible forgery\)$/, () => '有回调验签失败（可能伪造）'],
  [/^part of the record was joined by client ip, user agent and time, not by a key$/, () => '部分记录按客户端 IP、UA 与时间关联，而非按订单号等键'],
  [/^clock of a source was corrected$/, () => '某来源的时钟已校正'],
  [/^confidence capped at ([\d.]+): the payment rests on wording alone \/ .*$/, (m) => `置信度封顶 ${m[1]}：付款仅凭措辞推断`],
  [/^the shop answered all (\d+) copies of the callback with an error \((.*)\): it did not take the payment$/s, (m) => `商店对全部 ${m[1]} 份回调都返回了错误（${m[2]}）：未接受这笔付款`],
  [/^(\d+) copy\(ies\) of an already acknowledged callback arrived more than (\d+) min later \(replay\?\): (.*)$/s, (m) => `${m[1]} 份已确认的回调在 ${m[2]} 分钟后又到达（重放？）：${m[3]}`],
  [/^(\d+) copy\(ies\) of the callback arrived when the gateway's retry schedule sends none \(replay\?\): (.*)$/s, (m) => `${m[1]} 份回调的到达时间不在支付平台的重试时间表内（重放？）：${m[2]}`],
  [/^card delivery logged, but no payment line survived$/, () => '日志记录已发卡，但没有留存的付款记录'],
  [/^(\d+) different payments reported for this order$/, (m) => `该订单报告了 ${m[1]} 笔不同的付款`],
  [/^paid_at is the gateway's completion time from its bill; the shop accepted the payment moments later$/, () => 'paid_at 取自支付账单的完成时间；商店随后确认了付款'],
  [/^paid_at is the gateway callback at (.*) \(its content was not logged\), just before the status poll first answered "paid"$/s, (m) => `paid_at 取自 ${m[1]} 的支付回调（内容未记录），其后状态查询首次答复“已支付”`],
  [/^paid_at is the first status poll that answered "paid": the payment was at or before it$/, () => 'paid_at 取自首次答复“已支付”的状态查询：付款在此时或更早'],
  [/^paid_at is a repeated callback the shop refused as already completed \((.*)\): the payment was before it$/s, (m) => `paid_at 取自商店以“已处理”拒绝的重复回调（${m[1]}）：付款在此之前`],
  [/^created_at estimated from the first sighting of the order$/, () => 'created_at 按订单首次出现的时间估计'],
  [/^times from (.*) corrected by ([+-]?\d+) s \(clock skew; report\.json checks\.clocks says against what\)$/s, (m) => `来自 ${m[1]} 的时间校正了 ${m[2]} 秒（时钟偏差；参照对象见 report.json checks.clocks）`],
  [/^joined (\S+) \((.*?)\) by (.*)$/s, (m) => `按 ${m[3]} 关联了 ${m[1]}（${m[2]}）`],
  [/^(\w+), inferred from the wording '(.*)' \((.*)\) \/ 由措辞推断$/s, (m) => `${STEP_ZH[m[1]!] ?? m[1]}，由措辞“${m[2]}”推断（${m[3]}）`],
];

const TERM = /^([+-]\d+(?:\.\d+)?) (.*)$/s;

/** One reason in Chinese (a score term keeps its weight in front), or as it is if unknown. */
export function reasonZh(reason: string): string {
  const term = TERM.exec(reason);
  const text = term ? term[2]! : reason;
  for (const [re, zh] of RULES) {
    const m = re.exec(text);
    if (m) return term ? `${term[1]} ${zh(m)}` : zh(m);
  }
  return reason;
}

export function reasonsZh(reasons: readonly string[]): string[] {
  return reasons.map(reasonZh);
}
