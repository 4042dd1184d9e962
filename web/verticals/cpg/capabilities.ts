// The CPG vertical's capabilities (its manifest's permissions, src/verticals/cpg/vertical.cpp).
export const CPG_CAN = {
  read: 'cpg.read',
  manage: 'cpg.manage',
  report: 'cpg.report',
  pos: ['cpg.sell', 'cpg.consign'],
  sell: 'cpg.sell',
  consign: 'cpg.consign',
  settle: 'cpg.settle',
} as const;

export const CPG_API = '/api/v1/verticals/cpg';
