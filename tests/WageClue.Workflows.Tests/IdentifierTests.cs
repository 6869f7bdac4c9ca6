using WageClue.Workflows.Validation;

namespace WageClue.Workflows.Tests;

public class IdentifierTests
{
    // 91350100M000100Y43 is the example of GB 32100-2015; the others change one character of it.
    [TestCase("91350100M000100Y43", true)]
    [TestCase("91350100M000100Y44", false)]
    [TestCase("91350100M000100Y4", false)]
    [TestCase("91350100M0001O0Y43", false, TestName = "Letter O is not in the alphabet")]
    [TestCase("91370303MA3C8QXX0J", false)]
    public void Unified_social_credit_codes_are_checked_by_their_check_character(string code, bool valid) =>
        Assert.That(ChineseIdentifiers.IsValidCreditCode(code), Is.EqualTo(valid));

    // 11010519491231002X is the example of GB 11643-1999.
    [TestCase("11010519491231002X", true)]
    [TestCase("11010519491231002x", true)]
    [TestCase("110105194912310021", false)]
    [TestCase("110105194902300021", false, TestName = "February 30th is no birth date")]
    [TestCase("1101051949123100", false)]
    public void Resident_id_numbers_are_checked_by_their_check_digit_and_birth_date(string id, bool valid) =>
        Assert.That(ChineseIdentifiers.IsValidResidentId(id), Is.EqualTo(valid));

    [TestCase("13812341234", true)]
    [TestCase("0533-2345678", true)]
    [TestCase("05332345678", true)]
    [TestCase("12812341234", false)]
    [TestCase("1381234123", false)]
    [TestCase("+8613812341234", false)]
    public void Phone_numbers_are_mainland_mobiles_or_landlines_with_area_code(string phone, bool valid) =>
        Assert.That(ChineseIdentifiers.IsValidPhone(phone), Is.EqualTo(valid));

    [Test]
    public void Names_and_phones_are_masked()
    {
        Assert.That(ChineseIdentifiers.MaskName("张三"), Is.EqualTo("张*"));
        Assert.That(ChineseIdentifiers.MaskName("欧阳娜娜"), Is.EqualTo("欧***"));
        Assert.That(ChineseIdentifiers.MaskPhone("13812341234"), Is.EqualTo("138****1234"));
        Assert.That(ChineseIdentifiers.MaskPhone("0533-2345678"), Is.EqualTo("053*****5678"));
    }
}
