// The help of `reconstruct`'s stage options, apart from the stages (which load the Elasticsearch client).

export const STAGE_HELP = {
  stage: 'run one stage of a run spread over machines: extract (--shard i/n), correlate (--partition j/m), finish; needs --es and --run / 分布式运行的一个阶段',
  shard: 'extract shard i of n (0-based): reads the files whose names hash to i / 抽取分片 i/n',
  partition: 'correlate partition j of m (0-based): builds the records of the order numbers that hash to j / 关联分区 j/m',
  run: 'the run\'s name, the same on every machine (lower-case letters, digits, - _ .) / 运行编号（各机器相同）',
};
