namespace SignalR.TestHub;

/// <summary>Thread-safe append-only list of ints (for the Record/GetRecorded methods).</summary>
public sealed class NumberLog
{
    private readonly List<int> _numbers = new();

    public void Add(int number)
    {
        lock (_numbers)
        {
            _numbers.Add(number);
        }
    }

    public int[] Snapshot()
    {
        lock (_numbers)
        {
            return _numbers.ToArray();
        }
    }

    public void Clear()
    {
        lock (_numbers)
        {
            _numbers.Clear();
        }
    }
}
