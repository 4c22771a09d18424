// printf's %gr: GFP allocation flags by name, in the kernel's flag layout (linux/gfp_types.h).

const BIT = (n: number): bigint => 1n << BigInt(n);

const DMA = BIT(0);
const HIGHMEM = BIT(1);
const DMA32 = BIT(2);
const MOVABLE = BIT(3);
const HIGH = BIT(5);
const IO = BIT(6);
const FS = BIT(7);
const ZERO = BIT(8);
// Bit 4 (reclaimable) has no name of its own and bit 9 is unused.
const DIRECT_RECLAIM = BIT(10);
const KSWAPD_RECLAIM = BIT(11);
const WRITE = BIT(12);
const NOWARN = BIT(13);
const RETRY_MAYFAIL = BIT(14);
const NOFAIL = BIT(15);
const NORETRY = BIT(16);
const MEMALLOC = BIT(17);
const COMP = BIT(18);
const NOMEMALLOC = BIT(19);
const HARDWALL = BIT(20);
const THISNODE = BIT(21);
const ACCOUNT = BIT(22);
const ZEROTAGS = BIT(23);
const SKIP_ZERO = BIT(24);
const SKIP_KASAN = BIT(25);
const NO_OBJ_EXT = BIT(26);

const RECLAIM = DIRECT_RECLAIM | KSWAPD_RECLAIM;
const GFP_ATOMIC = HIGH | KSWAPD_RECLAIM;
const GFP_KERNEL = RECLAIM | IO | FS;
const GFP_KERNEL_ACCOUNT = GFP_KERNEL | ACCOUNT;
const GFP_NOWAIT = KSWAPD_RECLAIM | NOWARN;
const GFP_NOIO = RECLAIM;
const GFP_NOFS = GFP_NOIO | IO;
const GFP_USER = GFP_NOFS | FS | HARDWALL;
const GFP_HIGHUSER = GFP_USER | HIGHMEM;
const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | MOVABLE | SKIP_KASAN;
const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NOWARN) & ~RECLAIM;
const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | DIRECT_RECLAIM;

// Composite names first, so the most specific description wins; order matters.
const NAMES: readonly (readonly [bigint, string])[] = [
  [GFP_TRANSHUGE, 'GFP_TRANSHUGE'],
  [GFP_TRANSHUGE_LIGHT, 'GFP_TRANSHUGE_LIGHT'],
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_HIGHUSER, 'GFP_HIGHUSER'],
  [GFP_USER, 'GFP_USER'],
  [GFP_KERNEL_ACCOUNT, 'GFP_KERNEL_ACCOUNT'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_NOWAIT, 'GFP_NOWAIT'],
  [DMA, 'GFP_DMA'],
  [HIGHMEM, '__GFP_HIGHMEM'],
  [DMA32, 'GFP_DMA32'],
  [HIGH, '__GFP_HIGH'],
  [IO, '__GFP_IO'],
  [FS, '__GFP_FS'],
  [ZERO, '__GFP_ZERO'],
  [DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [WRITE, '__GFP_WRITE'],
  [NOWARN, '__GFP_NOWARN'],
  [RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
  [NOFAIL, '__GFP_NOFAIL'],
  [NORETRY, '__GFP_NORETRY'],
  [MEMALLOC, '__GFP_MEMALLOC'],
  [COMP, '__GFP_COMP'],
  [NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [HARDWALL, '__GFP_HARDWALL'],
  [THISNODE, '__GFP_THISNODE'],
  [ACCOUNT, '__GFP_ACCOUNT'],
  [ZEROTAGS, '__GFP_ZEROTAGS'],
  [SKIP_ZERO, '__GFP_SKIP_ZERO'],
  [SKIP_KASAN, '__GFP_SKIP_KASAN'],
  [NO_OBJ_EXT, '__GFP_NO_OBJ_EXT'],
];

export function formatGfpFlags(flags: bigint): string {
  if (flags === 0n) return '0';
  const parts: string[] = [];
  let remaining = flags;
  for (const [mask, name] of NAMES) {
    if ((remaining & mask) === mask) {
      parts.push(name);
      remaining &= ~mask;
    }
  }
  if (remaining !== 0n) parts.push('0x' + remaining.toString(16));
  return parts.join('|');
}
