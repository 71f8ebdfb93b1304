namespace Pipeline.Stages.Imaging;

/// <summary>Which detection label layout <see cref="ContactSheet"/> reads boxes from, to draw them on each tile.</summary>
public enum DetectionBoxes
{
    /// <summary>No boxes: the label is a class (its first value is drawn above the tile).</summary>
    None = 0,

    /// <summary><c>ImageDetIter</c>'s label: per image, object rows (id, xmin, ymin, xmax, ymax, extra...) padded with rows of -1; the label array is (B, objects, width).</summary>
    ObjectRows = 1,

    /// <summary><c>ImageDetRecordIter</c>'s label: per image, <c>[channels, height, width, label length, raw label..., pad...]</c>, the raw label <c>[header_width, object_width, header..., objects...]</c>.</summary>
    RecordRows = 2,
}
