namespace WageClue.Workflows.Sla;

public sealed record BusinessPeriod(TimeOnly Start, TimeOnly End);

/// <summary>The bureau's opening hours on a working day, in order; a period ends at close of business.</summary>
public sealed record BusinessHours(IReadOnlyList<BusinessPeriod> Periods)
{
    public static readonly BusinessHours Default = new([
        new BusinessPeriod(new TimeOnly(8, 30), new TimeOnly(12, 0)),
        new BusinessPeriod(new TimeOnly(13, 30), new TimeOnly(17, 30)),
    ]);

    public TimeOnly CloseOfBusiness => Periods[^1].End;
}
