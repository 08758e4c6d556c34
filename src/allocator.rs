//! The global allocator in WebAssembly: two talc heaps, one for large buffers (response bodies, a
//! page's agents, a snapshot's text) and one for everything else.
//!
//! With one heap, the small allocations a sync keeps (a snapshot entry per serial) settled in the
//! room each page's body left when freed, so the next page's body no longer fit there and memory grew
//! by about a page per page: a 100,000-agent sync peaked at 113 MiB of which 16 MiB was live, and
//! WebAssembly memory never shrinks. Kept apart, freed large buffers stay whole for the next ones.

use std::alloc::{GlobalAlloc, Layout};

use talc::wasm::{new_wasm_dynamic_allocator, WasmDynamicTalc};

/// Allocations of at least this many bytes come from the large heap.
pub const LARGE: usize = 64 * 1024;

/// Routes each allocation by its size: at least [`LARGE`] bytes to one talc heap, smaller to another.
pub struct SplitHeap {
    small: WasmDynamicTalc,
    large: WasmDynamicTalc,
}

impl SplitHeap {
    /// Two empty heaps; each grows WebAssembly memory when it needs room.
    pub const fn new() -> Self {
        Self {
            small: new_wasm_dynamic_allocator(),
            large: new_wasm_dynamic_allocator(),
        }
    }

    fn heap(&self, size: usize) -> &WasmDynamicTalc {
        if size >= LARGE {
            &self.large
        } else {
            &self.small
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
// as `alloc` chose it. A `realloc` that crosses `LARGE` moves the bytes to the other heap.
unsafe impl GlobalAlloc for SplitHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.heap(layout.size()).alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.heap(layout.size()).alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.heap(layout.size()).dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let from = self.heap(layout.size());
        let to = self.heap(new_size);
        if std::ptr::eq(from, to) {
            return from.realloc(ptr, layout, new_size);
        }
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let moved = to.alloc(new_layout);
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            from.dealloc(ptr, layout);
        }
        moved
    }
}
