using Narratives.Ml.Scoring;
using Narratives.Ml.Training;

namespace Narratives.Ml.Tests;

/// <summary>A small labelled set in three languages that trains in about a second, and models trained on it once.</summary>
public static class TinyData
{
    public static IReadOnlyList<LabelledText> Themes { get; } =
    [
        new("Survivors of the bombing tell their story: my brother died in the market attack", ["victims"], "en"),
        new("A mother remembers her son killed in the attack on the hotel", ["victims"], "en"),
        new("The families of the victims gathered to remember those who died", ["victims"], "en"),
        new("Témoignage d'une survivante de l'attentat: j'ai perdu ma fille", ["victims"], "fr"),
        new("Les victimes de l'attentat et leurs familles racontent la douleur", ["victims"], "fr"),
        new("ضحايا التفجير يروون قصصهم: فقدت أخي في السوق", ["victims"], "ar"),
        new("أم تتذكر ابنها الذي قتل في الهجوم على الفندق", ["victims"], "ar"),
        new("Check the source before you share: how recruiters manipulate videos online", ["literacy"], "en"),
        new("Five signs a video is fake: learn to check sources and spot manipulation", ["literacy"], "en"),
        new("Teachers: a lesson on critical thinking and recognising grooming online", ["literacy"], "en"),
        new("Vérifiez la source avant de partager: les recruteurs manipulent les vidéos", ["literacy"], "fr"),
        new("Esprit critique: reconnaître la manipulation et vérifier les sources en ligne", ["literacy"], "fr"),
        new("تحقق من المصدر قبل المشاركة: كيف يتلاعب المجندون بالفيديوهات", ["literacy"], "ar"),
        new("التفكير النقدي: كيف تكتشف التلاعب وتتحقق من المصادر على الإنترنت", ["literacy"], "ar"),
        new("Imams and priests share a meal: interfaith dialogue builds coexistence", ["dialogue"], "en"),
        new("Christians and Muslims meet in dialogue to build tolerance between communities", ["dialogue"], "en"),
        new("Neighbours of different faiths talk together about living side by side", ["dialogue"], "en"),
        new("Dialogue interreligieux: chrétiens et musulmans construisent la coexistence", ["dialogue"], "fr"),
        new("Rencontre entre communautés pour la tolérance et le vivre ensemble", ["dialogue"], "fr"),
        new("حوار بين الأديان: المسيحيون والمسلمون يبنون التعايش", ["dialogue"], "ar"),
        new("لقاء بين الجيران من أديان مختلفة من أجل التسامح والتعايش", ["dialogue"], "ar"),
    ];

    public static IReadOnlyList<LabelledText> Audiences { get; } = Themes.Select((t, i) => t with
    {
        Labels = t.Labels[0] switch
        {
            "victims" => i % 2 == 0 ? ["families", "general"] : ["families"],
            "literacy" => i % 2 == 0 ? ["educators", "youth"] : ["youth"],
            _ => i % 2 == 0 ? ["religious", "general"] : ["religious"],
        },
    }).ToList();

    static readonly Lazy<TextClassifier> theme = new(() => TextClassifierTrainer.Train(Themes, multiLabel: false));
    static readonly Lazy<TextClassifier> audience = new(() => TextClassifierTrainer.Train(Audiences, multiLabel: true));

    public static TextClassifier ThemeModel => theme.Value;
    public static TextClassifier AudienceModel => audience.Value;

    public static readonly string[] NewTexts =
    [
        "Before you share that video, check where it comes from",
        "My father was killed in the attack; we still grieve",
        "Rencontre de dialogue entre les religions de la ville",
        "تحقق من مصدر الفيديو قبل أن تشاركه",
        "ضحايا الهجوم وعائلاتهم",
        "Interfaith dialogue between neighbours",
    ];
}
