/** A handler module without `handle`: the pool must give up restarting, not loop. */
export const nothing = 1;
