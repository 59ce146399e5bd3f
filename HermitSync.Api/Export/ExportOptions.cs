namespace HermitSync.Api.Export;

/// <summary>How an export reads the collection.</summary>
public sealed class ExportOptions
{
    public const string Section = "HermitSync:Export";

    /// <summary>Notes read per query: enough that round trips do not dominate, few enough that a page of large notes stays small.</summary>
    public int PageSize { get; set; } = 500;
}
