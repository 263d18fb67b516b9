namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>Hands out token slots 0..capacity-1 and takes them back; thread-safe.</summary>
internal sealed class KvSlotAllocator
{
    private readonly Stack<int> _free;
    private readonly bool[] _inUse;
    private readonly Lock _lock = new();

    /// <summary>Creates an allocator with every slot free; low slots are handed out first.</summary>
    /// <param name="capacity">Total slots.</param>
    public KvSlotAllocator(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _inUse = new bool[capacity];
        _free = new Stack<int>(Enumerable.Range(0, capacity).Reverse());
    }

    /// <summary>Total slots.</summary>
    public int Capacity { get; }

    /// <summary>Slots not handed out.</summary>
    public int FreeCount
    {
        get
        {
            lock (_lock)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>True when <paramref name="slot"/> is currently allocated.</summary>
    public bool IsAllocated(int slot)
    {
        lock (_lock)
        {
            return slot >= 0 && slot < Capacity && _inUse[slot];
        }
    }

    /// <summary>Takes <paramref name="count"/> slots, or none when fewer are free.</summary>
    /// <param name="count">Slots wanted.</param>
    /// <param name="slots">The slots, or null.</param>
    public bool TryAllocate(int count, out int[]? slots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            if (count > _free.Count)
            {
                slots = null;
                return false;
            }

            slots = new int[count];
            for (var i = 0; i < count; i++)
            {
                slots[i] = _free.Pop();
                _inUse[slots[i]] = true;
            }

            return true;
        }
    }

    /// <summary>Returns slots.</summary>
    /// <param name="slots">Slots handed out earlier.</param>
    /// <exception cref="ArgumentException">A slot is out of range or not allocated (a double free).</exception>
    public void Free(ReadOnlySpan<int> slots)
    {
        lock (_lock)
        {
            var seen = new HashSet<int>();
            foreach (var slot in slots)
            {
                if (slot < 0 || slot >= Capacity || !_inUse[slot] || !seen.Add(slot))
                {
                    throw new ArgumentException($"Slot {slot} is not allocated in this pool (capacity {Capacity}); it was freed twice or never allocated.", nameof(slots));
                }
            }

            foreach (var slot in slots)
            {
                _inUse[slot] = false;
                _free.Push(slot);
            }
        }
    }
}
