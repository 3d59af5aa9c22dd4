/**
 * Every Conveyor command id, in one place.
 */
export namespace CommandIDs {
  export const openSidebar = 'conveyor:open-sidebar';
  export const refreshStatus = 'conveyor:refresh-status';
}
