import type { GatewayDefinition } from './gateway';
import { epay } from './epay';

export const GATEWAYS: Record<string, GatewayDefinition> = {
  epay,
};
