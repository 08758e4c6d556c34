//! The global allocator in WebAssembly: two talc heaps, one for large buffers (response bodies, a
//! page's agents, a snapshot's text) and one for everything else, and every byte zeroed when freed.
//!
//! With one heap, the small allocations a sync keeps (a snapshot entry per serial) settled in the
//! room each page's body left when freed, so the next page's body no longer fit there and memory grew
//! by about a page per page: a 100,000-agent sync peaked at 113 MiB of which 16 MiB was live, and
//! WebAssembly memory never shrinks. Kept apart, freed large buffers stay whole for the next ones.
//!
//! Zeroing: a call's arguments, its `Authorization` header and the requests handed to the host all
//! hold the API token, and a body may echo it. Freed, they would stay readable in the module's
//! memory for as long as the host keeps the instance (a memory the `/web` entry exports, a heap
//! snapshot, a crash dump). Freed memory is zeroed, and a buffer that grows or shrinks leaves no copy
//! behind, so after a call no byte of the token is left anywhere the module does not still use.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::{null_mut, NonNull};

use talc::base::Talc;
use talc::wasm::{WasmBinning, WasmGrowAndExtend};

/// Allocations of at least this many bytes come from the large heap.
pub const LARGE: usize = 64 * 1024;

type Heap = UnsafeCell<Talc<WasmGrowAndExtend, WasmBinning>>;

/// Routes each allocation by its size: at least [`LARGE`] bytes to one talc heap, smaller to another.
pub struct SplitHeap {
    small: Heap,
    large: Heap,
}

// SAFETY: this module is compiled only for wasm32 without atomics (see lib.rs): one thread, and no
// allocator call is re-entered (the heaps' source only grows WebAssembly memory; it never allocates).
unsafe impl Sync for SplitHeap {}

impl SplitHeap {
    /// Two empty heaps; each grows WebAssembly memory when it needs room.
    pub const fn new() -> Self {
        Self {
            small: UnsafeCell::new(Talc::new(WasmGrowAndExtend::new())),
            large: UnsafeCell::new(Talc::new(WasmGrowAndExtend::new())),
        }
    }

    /// The heap for allocations of `size` bytes.
    ///
    /// # Safety
    /// No other reference to that heap may be alive (each `GlobalAlloc` method ends its use of one
    /// before it asks for another).
    #[allow(clippy::mut_from_ref)]
    unsafe fn heap(&self, size: usize) -> &mut Talc<WasmGrowAndExtend, WasmBinning> {
        &mut *if size >= LARGE {
            self.large.get()
        } else {
            self.small.get()
        }
    }
}

impl Default for SplitHeap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every pointer goes back to the heap that gave it: `dealloc` and `realloc` receive the layout
// it was allocated with (the `GlobalAlloc` contract), and the heap is chosen from that layout's size,
// as `alloc` chose it. A buffer is zeroed only while it is still the caller's, before talc takes it
// back (talc keeps its own records in free memory).
unsafe impl GlobalAlloc for SplitHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.heap(layout.size())
            .allocate(layout)
            .map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ptr.write_bytes(0, layout.size());
        self.heap(layout.size()).deallocate(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_size = layout.size();
        // Talc's own realloc would move a buffer it cannot grow in place and free the old one
        // unzeroed; here the move goes through `dealloc`.
        if (old_size >= LARGE) == (new_size >= LARGE) {
            let heap = self.heap(old_size);
            if new_size <= old_size {
                ptr.add(new_size).write_bytes(0, old_size - new_size);
                // Always in place.
                heap.shrink(ptr, layout, new_size);
                return ptr;
            }
            if heap.try_grow_in_place(ptr, layout, new_size) {
                return ptr;
            }
        }
        let moved = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, old_size.min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}
