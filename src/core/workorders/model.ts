/**
 * Work orders (工单): what the center hands to a department behind it, and what comes back.
 * The shapes the pure rules here decide on; storage and routes map to and from them.
 */

/** 转办 consultation hand-over, 投诉 complaint, 举报 report of a tax violation, 建议 suggestion. */
export const WORK_ORDER_TYPES = ['transfer', 'complaint', 'report', 'suggestion'] as const;
export type WorkOrderType = (typeof WORK_ORDER_TYPES)[number];

export const WORK_ORDER_STATUSES = ['new', 'assigned', 'replied', 'closed', 'reopened'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

/** The facts about an order that decide who sees it and who may act on it. */
export interface OrderFacts {
  type: WorkOrderType;
  /** A complaint about the center's or a bureau's staff (行风、效能): supervisors and admins only. */
  aboutStaff: boolean;
  department: string | null;
  /** The account that created it (an agent sees the orders it created). */
  createdBy: string;
  status: WorkOrderStatus;
}

/** Only a complaint can be about staff. */
export function isStaffComplaint(o: Pick<OrderFacts, 'type' | 'aboutStaff'>): boolean {
  return o.type === 'complaint' && o.aboutStaff;
}

/** Orders not every agent may read: reports of violations (the informant is named) and complaints about staff. */
export function isSensitive(o: Pick<OrderFacts, 'type' | 'aboutStaff'>): boolean {
  return o.type === 'report' || isStaffComplaint(o);
}
